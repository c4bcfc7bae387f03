import { randomUUID } from 'node:crypto';
import { AltinnConsentRequestNotFoundError } from '../../../src/providers/altinn/altinn3/altinn3-consent.client';
import { incomeRight, taxAssessmentRight } from '../../../src/providers/altinn/altinn3/consent-request.mapping';
import type { CreateConsentRequest } from '../../../src/providers/altinn/altinn3/consent-request.types';
import { altinnRedirectUrl } from '../../../src/providers/altinn/altinn3/redirect-url';
import { freshNationalId, PERSON_WITH_DEBT } from '../../support/national-ids';
import { type Altinn3Harness, answerConsentPage, BANK_ORG, control, startHarness } from './altinn3.helpers';

const DAY = 86_400_000;
const CALLBACK = 'https://bank.example/v1/consent-flows/callback/altinn';

function newRequest(overrides: Partial<CreateConsentRequest> = {}): CreateConsentRequest {
  return {
    id: randomUUID(),
    nationalId: freshNationalId(),
    validTo: new Date(Date.now() + 30 * DAY),
    right: taxAssessmentRight(2025),
    redirectUrl: altinnRedirectUrl(CALLBACK, randomUUID()),
    ...overrides,
  };
}

describe('Altinn 3 consent-request client against the simulator', () => {
  let h: Altinn3Harness;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });
  afterEach(async () => {
    await control(h.started.url, 'POST', 'reset');
  });

  it('creates a request (201) with a write-scope token, sending exactly the documented body to the path without a trailing slash', async () => {
    const input = newRequest({ validTo: new Date('2030-01-02T03:04:05.678Z') });
    const created = await h.client.create(input);

    expect(created).toEqual({ id: input.id, viewUri: `${h.started.url}/accessmanagement/ui/consent/request?id=${input.id}`, status: 'created', created: true });
    expect(h.scopes).toEqual(['altinn:consentrequests.write']);
    const [call] = h.started.sandbox.getCalls('consentRequestCreate');
    expect(call).toMatchObject({ method: 'POST', path: '/accessmanagement/api/v1/enterprise/consentrequests', authorization: 'Bearer', contentType: 'application/json', status: 201 });
    expect(call.body).toEqual({
      id: input.id,
      from: 'urn:altinn:person:identifier-no:***********',
      to: `urn:altinn:organization:identifier-no:${BANK_ORG}`,
      validTo: '2030-01-02T03:04:05+00:00',
      consentRights: [{ action: ['consent'], resource: [{ type: 'urn:altinn:resource', value: 'ske-samtykke-sbl-summert-skattegrunnlag' }], metadata: { inntektsaar: '2025' } }],
      redirectUrl: input.redirectUrl,
    });
  });

  it('re-sends the same id safely: Altinn answers 200 with the same viewUri and keeps one request', async () => {
    const input = newRequest({ right: incomeRight('2025-01', '2025-06'), message: 'Lånesøknad' });
    const first = await h.client.create(input);
    const again = await h.client.create(input);
    expect(again).toEqual({ ...first, created: false });
    expect(h.started.sandbox.getCalls('consentRequestCreate').map((c) => c.status)).toEqual([201, 200]);
    expect(h.started.sandbox.consentView(input.id)?.rights).toEqual([{ resource: 'ske-samtykke-sbl-inntekt', metadata: { fraogmed: '2025-01', tilogmed: '2025-06' } }]);
  });

  it('reads an accepted request after the customer approves on the consent page, and Altinn sends the browser back with our state and Status=OK', async () => {
    const state = randomUUID();
    const input = newRequest({ nationalId: PERSON_WITH_DEBT, redirectUrl: altinnRedirectUrl(`${CALLBACK}?channel=web`, state) });
    const { viewUri } = await h.client.create(input);

    const answer = await answerConsentPage(viewUri, 'approve');
    expect(answer.page).toContain('ske-samtykke-sbl-summert-skattegrunnlag');
    expect(answer.page).toContain('inntektsaar');
    expect(answer.status).toBe(303);
    const back = new URL(answer.location!);
    expect(back.origin + back.pathname).toBe(CALLBACK);
    expect(Object.fromEntries(back.searchParams)).toEqual({ channel: 'web', state, Status: 'OK' });

    const details = await h.client.get(input.id);
    expect(details).toMatchObject({
      id: input.id,
      status: 'accepted',
      altinnStatus: 'accepted',
      from: `urn:altinn:person:identifier-no:${PERSON_WITH_DEBT}`,
      to: `urn:altinn:organization:identifier-no:${BANK_ORG}`,
      validTo: new Date(Math.floor(input.validTo.getTime() / 1000) * 1000),
      rights: [{ resource: 'ske-samtykke-sbl-summert-skattegrunnlag', metadata: { inntektsaar: '2025' } }],
    });
    expect(details.consented).toBeInstanceOf(Date);
    expect(h.scopes.at(-1)).toBe('altinn:consentrequests.read');
  });

  it('reads a rejected request after the customer denies, and the redirect says Failed with the error message', async () => {
    const input = newRequest();
    const { viewUri } = await h.client.create(input);
    const answer = await answerConsentPage(viewUri, 'deny');
    const back = new URL(answer.location!);
    expect(back.searchParams.get('Status')).toBe('Failed');
    expect(back.searchParams.get('ErrorMessage')).toBe('User did not give consent');
    await expect(h.client.get(input.id)).resolves.toMatchObject({ status: 'rejected' });
  });

  it('reports an accepted request as expired once its validTo has passed at Altinn', async () => {
    const input = newRequest({ validTo: new Date(Date.now() + DAY) });
    await h.client.create(input);
    await control(h.started.url, 'POST', `consent-requests/${input.id}/accept`);
    await control(h.started.url, 'POST', 'clock/advance', { ms: 2 * DAY });
    await expect(h.client.get(input.id)).resolves.toMatchObject({ status: 'expired', altinnStatus: 'accepted' });
  });

  it('tells an unknown request apart (typed not-found), e.g. after the simulator is reset', async () => {
    const input = newRequest();
    await h.client.create(input);
    await control(h.started.url, 'POST', 'reset');
    const error = await h.client.get(input.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AltinnConsentRequestNotFoundError);
    expect(error).toMatchObject({ consentRequestId: input.id });
  });

  it('pages through the events feed: 100 oldest first with a next link, then the rest; a later revocation appears on re-polling the last page', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 101; i++) {
      const input = newRequest();
      await h.client.create(input);
      await control(h.started.url, 'POST', `consent-requests/${input.id}/accept`);
      ids.push(input.id);
    }
    const first = await h.client.events(undefined);
    expect(first.events).toHaveLength(100);
    expect(first.events.map((e) => e.consentRequestId)).toEqual(ids.slice(0, 100));
    expect(first.events.every((e) => e.eventType === 'accepted' && e.changedDate instanceof Date)).toBe(true);
    expect(first.next).toMatch(new RegExp(`^${h.started.url}/accessmanagement/api/v1/enterprise/consentrequests/events\\?continuationToken=`));

    const second = await h.client.events(first.next);
    expect(second).toEqual({ events: [expect.objectContaining({ consentRequestId: ids[100], eventType: 'accepted' })] });

    await control(h.started.url, 'POST', `consent-requests/${ids[3]}/revoke`);
    const again = await h.client.events(first.next);
    expect(again.events.map((e) => [e.consentRequestId, e.eventType])).toEqual([
      [ids[100], 'accepted'],
      [ids[3], 'revoked'],
    ]);
  });

  it('never follows a cursor to another host', async () => {
    await expect(h.client.events('https://evil.example/accessmanagement/api/v1/enterprise/consentrequests/events')).rejects.toThrow(RangeError);
  });

  it('answers ALTINN_UNAVAILABLE when Altinn fails with 5xx, after retrying the idempotent create', async () => {
    await control(h.started.url, 'POST', 'faults', { endpoint: 'consentRequestCreate', kind: 'status', status: 500 });
    await expect(h.client.create(newRequest())).rejects.toMatchObject({ code: 'ALTINN_UNAVAILABLE', status: 503 });
    expect(h.started.sandbox.getCalls('consentRequestCreate').length).toBeGreaterThan(1);
  });

  it('creates the request when a retry follows one 503 (the second POST of the same id is safe)', async () => {
    await control(h.started.url, 'POST', 'faults', { endpoint: 'consentRequestCreate', kind: 'status', status: 503, times: 1 });
    const input = newRequest();
    await expect(h.client.create(input)).resolves.toMatchObject({ id: input.id, created: true });
  });

  it('answers ALTINN_UNAVAILABLE when the connection is reset on every attempt', async () => {
    await control(h.started.url, 'POST', 'faults', { endpoint: 'consentRequestGet', kind: 'reset' });
    await expect(h.client.get(randomUUID())).rejects.toMatchObject({ code: 'ALTINN_UNAVAILABLE' });
  });

  it('answers ALTINN_TIMEOUT when Altinn does not answer within ALTINN_TIMEOUT_MS', async () => {
    await control(h.started.url, 'POST', 'faults', { endpoint: 'consentEvents', kind: 'timeout', times: 1 });
    const started = Date.now();
    await expect(h.client.events(undefined)).rejects.toMatchObject({ code: 'ALTINN_TIMEOUT', status: 504 });
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it("answers ALTINN_REJECTED when Altinn's PDP refuses the resource (403 with no body)", async () => {
    await control(h.started.url, 'POST', 'pdp/deny', { orgNumber: BANK_ORG, resource: 'ske-samtykke-sbl-inntekt' });
    await expect(h.client.create(newRequest({ right: incomeRight('2025-01', '2025-02') }))).rejects.toMatchObject({ code: 'ALTINN_REJECTED' });
    expect(h.started.sandbox.getCalls('consentRequestCreate').map((c) => c.status)).toEqual([403]);
    await expect(h.client.create(newRequest())).resolves.toMatchObject({ created: true });
  });

  it('answers ALTINN_REJECTED when the id is already used for another customer', async () => {
    const input = newRequest();
    await h.client.create(input);
    await expect(h.client.create({ ...input, nationalId: freshNationalId() })).rejects.toMatchObject({ code: 'ALTINN_REJECTED' });
  });
});
