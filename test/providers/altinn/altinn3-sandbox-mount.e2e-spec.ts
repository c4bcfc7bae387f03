import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { MetricsService } from '../../../src/metrics/metrics.service';
import { Altinn3ConsentClient } from '../../../src/providers/altinn/altinn3/altinn3-consent.client';
import { AltinnHttpClient } from '../../../src/providers/altinn/altinn-http.client';
import { taxAssessmentRight } from '../../../src/providers/altinn/altinn3/consent-request.mapping';
import { altinnRedirectUrl } from '../../../src/providers/altinn/altinn3/redirect-url';
import { Altinn3Sandbox, altinn3SandboxPlugin } from '../../../src/providers/altinn/sandbox/altinn3';
import { freshNationalId } from '../../support/national-ids';
import { answerConsentPage, BANK_ORG, testToken, verifyTestToken } from './altinn3.helpers';

/** How the sandbox runtime will embed it: under a prefix on the service's own port. */
describe('The Altinn 3 simulator mounted under a prefix', () => {
  let app: FastifyInstance;
  let sandbox: Altinn3Sandbox;
  let http: AltinnHttpClient;
  let client: Altinn3ConsentClient;

  beforeAll(async () => {
    app = Fastify({ logger: false, forceCloseConnections: true });
    sandbox = new Altinn3Sandbox({ baseUrl: 'http://127.0.0.1', verifyToken: verifyTestToken, eventHoldBackMs: 0 });
    await app.register(altinn3SandboxPlugin, { prefix: '/sandbox/altinn', sandbox });
    app.get('/other', async () => ({ ok: true }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address() as { port: number };
    sandbox.baseUrl = `http://127.0.0.1:${address.port}/sandbox/altinn`;
    http = new AltinnHttpClient(new MetricsService(), { timeoutMs: 1500 });
    client = new Altinn3ConsentClient(http, async (scope) => testToken(BANK_ORG, scope), { platformUrl: sandbox.baseUrl, orgNumber: BANK_ORG });
  });
  afterAll(async () => {
    await http.close();
    await app.close();
  });

  it('serves the API, the consent page and the events under the prefix, and leaves the host app alone', async () => {
    const id = randomUUID();
    const { viewUri } = await client.create({ id, nationalId: freshNationalId(), validTo: new Date(Date.now() + 86_400_000), right: taxAssessmentRight(2025), redirectUrl: altinnRedirectUrl('http://localhost:3000/v1/consent-flows/callback/altinn', 's') });
    expect(viewUri.startsWith(`${sandbox.baseUrl}/accessmanagement/ui/consent/request?id=`)).toBe(true);
    const answer = await answerConsentPage(viewUri, 'approve');
    expect(answer.location).toBe('http://localhost:3000/v1/consent-flows/callback/altinn?state=s&Status=OK');
    await expect(client.get(id)).resolves.toMatchObject({ status: 'accepted' });
    await expect(client.events(undefined)).resolves.toEqual({ events: [expect.objectContaining({ consentRequestId: id, eventType: 'accepted' })] });
    expect(await (await fetch(`${sandbox.baseUrl.replace('/sandbox/altinn', '')}/other`)).json()).toEqual({ ok: true });
  });
});
