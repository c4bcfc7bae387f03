import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { MetricsService } from '../../../src/metrics/metrics.service';
import { Altinn3ConsentClient } from '../../../src/providers/altinn/altinn3/altinn3-consent.client';
import { AltinnHttpClient } from '../../../src/providers/altinn/altinn-http.client';
import { taxAssessmentRight } from '../../../src/providers/altinn/altinn3/consent-request.mapping';
import { PERSON_WITH_DEBT } from '../../support/national-ids';
import { BANK_ORG } from './altinn3.helpers';

const PATH = '/accessmanagement/api/v1/enterprise/consentrequests';

/**
 * Altinn shapes the simulator does not produce but the notes warn of (1.4 [I], 1.5): a 200 re-POST
 * answer without the 201's mapping (PascalCase, no viewUri), lowercase statuses, and a next link
 * pointing elsewhere. A bare server over real HTTP plays them.
 */
describe('Altinn 3 client: answers in the shapes Altinn may use', () => {
  let app: FastifyInstance;
  let http: AltinnHttpClient;
  let client: Altinn3ConsentClient;
  let base: string;
  const id = randomUUID();
  let nextLink = '';

  beforeAll(async () => {
    app = Fastify({ logger: false });
    app.post(PATH, async (_req, reply) => reply.code(200).send({ Id: id, From: `urn:altinn:person:identifier-no:${PERSON_WITH_DEBT}`, Status: 'accepted' }));
    app.get(`${PATH}/events`, async () => ({ links: { next: nextLink }, data: [{ consentRequestId: id, eventType: 'Revoked', changedDate: '2026-12-01T10:00:00Z' }] }));
    app.get(`${PATH}/:id`, async () => ({
      id,
      from: { type: 'urn:altinn:person:identifier-no', value: PERSON_WITH_DEBT },
      to: `urn:altinn:organization:identifier-no:${BANK_ORG}`,
      validTo: '2027-01-01T00:00:00+00:00',
      consentRights: [{ action: ['consent'], resource: [{ type: 'urn:altinn:resource', value: 'ske-samtykke-sbl-summert-skattegrunnlag' }], metadata: { inntektsaar: '2025' } }],
      status: 'accepted',
      viewUri: `https://am.ui.tt02.altinn.no/accessmanagement/ui/consent/request?id=${id}`,
      consentRequestEvents: [],
    }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    http = new AltinnHttpClient(new MetricsService(), { timeoutMs: 1500 });
    client = new Altinn3ConsentClient(http, async (scope) => `token-for-${scope}`, { platformUrl: base, orgNumber: BANK_ORG });
  });
  afterAll(async () => {
    await http.close();
    await app.close();
  });

  it('takes the viewUri from the request’s details when a 200 re-POST answer lacks it', async () => {
    const created = await client.create({ id, nationalId: PERSON_WITH_DEBT, validTo: new Date('2027-01-01T00:00:00Z'), right: taxAssessmentRight(2025), redirectUrl: 'https://bank.example/cb?state=s' });
    expect(created).toEqual({ id, viewUri: `https://am.ui.tt02.altinn.no/accessmanagement/ui/consent/request?id=${id}`, status: 'accepted', created: false });
  });

  it('lower-cases event types and follows a next link on the platform', async () => {
    nextLink = `${base}${PATH}/events?continuationToken=abc`;
    await expect(client.events(undefined)).resolves.toEqual({ events: [{ consentRequestId: id, eventType: 'revoked', changedDate: new Date('2026-12-01T10:00:00Z') }], next: nextLink });
  });

  it('refuses a next link to another origin (ALTINN_BAD_RESPONSE): our token would go there', async () => {
    nextLink = `http://127.0.0.2:1${PATH}/events?continuationToken=abc`;
    await expect(client.events(undefined)).rejects.toMatchObject({ code: 'ALTINN_BAD_RESPONSE' });
  });
});
