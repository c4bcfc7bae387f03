import { parseAltinn2Date } from '../../../src/providers/altinn/altinn2/oslo-time';
import { followCallback } from '../../support/consent-walk';
import { freshNationalId, OTHER_PERSON_WITH_DEBT, PERSON_WITH_DEBT } from '../../support/national-ids';
import { TEST_RETURN_ORIGIN, type TestApp } from '../../support/test-app';
import { api } from '../../consents/consents.helpers';
import { flowOf, INCOME_BODY, returned, TAX_BODY } from './altinn-app.helpers';
import { type Altinn2World, answerAtAltinn2, closeAltinn2World, resetAltinn2World, start2Flow, startAltinn2App, startAltinn2World } from './altinn2-app.helpers';
import { control } from './altinn2-walk';

/** ALTINN_VERSION=2 through the service's own routes: start, Altinn 2's consent page, the callback, the reads. */
describe('Altinn 2 consent flows through the routes (ALTINN_VERSION=2)', () => {
  let world: Altinn2World;
  let app: TestApp;
  let token: string;

  beforeAll(async () => {
    world = await startAltinn2World();
    app = await startAltinn2App(world);
    token = await app.issuer.service(['consent:write', 'consent:read', 'income:read']);
  });
  afterAll(async () => {
    await app?.close();
    await closeAltinn2World(world);
  });
  beforeEach(() => resetAltinn2World(world));

  const tokenCalls = () => world.altinn2.sandbox.getCalls('token').length;
  const skatteetatenCalls = () => world.sims.skatteetaten.getCalls();
  const nowSeconds = () => Math.floor(world.altinn2.sandbox.now() / 1000);

  it('collects income end to end: the AccessConsent link, approval, callback, flow data, and again by consent', async () => {
    const flow = await start2Flow(app, token, PERSON_WITH_DEBT, INCOME_BODY);
    expect(flow).toMatchObject({ provider: 'altinn', scope: 'ske-samtykke-sbl-inntekt', durationDays: 30 });
    const link = new URL(flow.authorizationUrl);
    expect(`${link.origin}${link.pathname}`).toBe(`${world.altinn2.url}/ui/AccessConsent/`);
    expect(link.searchParams.get('Resources')).toBe('4804;210607');
    expect(link.searchParams.get('CoveredBy')).toBe('974760673');
    expect(link.searchParams.get('Metadata')).toBe('4804_210607_fraOgMed;2026-01,4804_210607_tilOgMed;2026-06');
    expect(link.searchParams.get('ResponseType')).toBe('code');
    expect(new URL(link.searchParams.get('RedirectUrl')!).searchParams.get('state')).toBeTruthy();
    expect(parseAltinn2Date(link.searchParams.get('ValidToDate'))!.getTime() - Date.now()).toBeGreaterThan(29.9 * 86_400_000);
    // Altinn 3 is not asked at all.
    expect(world.sims.altinn3.getCalls()).toHaveLength(0);

    const { callback, code } = await answerAtAltinn2(app, flow, PERSON_WITH_DEBT);
    expect(returned(callback)).toEqual({ status: 303, flowStatus: 'completed', origin: TEST_RETURN_ORIGIN });
    const read = await flowOf(app, token, flow.id);
    expect(read.json).toMatchObject({ status: 'completed', dataset: 'income', provider: 'altinn', consentId: expect.any(String) });
    const consentId = read.json.consentId as string;

    const data = await api(app, 'GET', `/v1/consent-flows/${flow.id}/income`, { token });
    expect(data.status).toBe(200);
    expect(data.json.oppgaveInntektsmottaker.length).toBeGreaterThan(0);
    expect(JSON.stringify(data.json)).not.toContain(PERSON_WITH_DEBT);

    const consent = await api(app, 'GET', `/v1/consents/${consentId}`, { token });
    expect(consent.json).toMatchObject({ provider: 'altinn', dataset: 'income', source: 'flow', status: 'active', scope: 'ske-samtykke-sbl-inntekt', parameters: { fromMonth: '2026-01', toMonth: '2026-06' } });
    expect(Date.parse(consent.json.expiresAt)).toBe(parseAltinn2Date(link.searchParams.get('ValidToDate'))!.getTime());
    const again = await api(app, 'GET', `/v1/consents/${consentId}/income`, { token });
    expect([again.status, again.json]).toEqual([200, data.json]);
    // One token for the callback, a fresh one for the read; Skatteetaten always saw a bearer token and AltinnSamtykke.
    expect(tokenCalls()).toBe(2);
    expect(skatteetatenCalls().map((c) => [c.endpoint, c.authorization, c.altinnSamtykke, c.status])).toEqual([
      ['inntekt', 'Bearer', true, 200],
      ['inntekt', 'Bearer', true, 200],
    ]);
    // The authorization code is a bearer secret: never in a log line (the callback's query is never logged).
    expect(code).toBeTruthy();
    expect(app.logs.some((line) => line.includes(code!))).toBe(false);
    expect(app.logs.some((line) => line.includes('/v1/consent-flows/callback/altinn'))).toBe(true);

    const refreshed = await api(app, 'GET', `/v1/consents/${consentId}?refresh=true`, { token });
    expect([refreshed.status, refreshed.json.status]).toEqual([200, 'active']);
    expect(tokenCalls()).toBe(3);
  });

  it('collects a tax assessment, the bank message as DelegationContext', async () => {
    const flow = await start2Flow(app, token, OTHER_PERSON_WITH_DEBT, { ...TAX_BODY, message: 'Lånesøknad 42', durationDays: 14 });
    expect(flow).toMatchObject({ scope: 'ske-samtykke-sbl-summert-skattegrunnlag', durationDays: 14 });
    const link = new URL(flow.authorizationUrl);
    expect([link.searchParams.get('Resources'), link.searchParams.get('Metadata'), link.searchParams.get('DelegationContext')]).toEqual(['4628;210607', '4628_210607_inntektsaar;2025', 'Lånesøknad 42']);
    const { callback } = await answerAtAltinn2(app, flow, OTHER_PERSON_WITH_DEBT);
    expect(returned(callback).flowStatus).toBe('completed');
    const data = await api(app, 'GET', `/v1/consent-flows/${flow.id}/tax-assessment`, { token });
    expect(data.status).toBe(200);
    expect(data.json).toMatchObject({ inntektsaar: '2025' });
    expect(data.json).not.toHaveProperty('personidentifikator');
    const consentId = (await flowOf(app, token, flow.id)).json.consentId as string;
    const byConsent = await api(app, 'GET', `/v1/consents/${consentId}/tax-assessment`, { token });
    expect([byConsent.status, byConsent.json]).toEqual([200, data.json]);
    expect((await api(app, 'GET', `/v1/consents/${consentId}/income`, { token })).json.code).toBe('DATASET_MISMATCH');
  });

  it('ends a flow the customer refused at Altinn 2 as denied, without asking for a token', async () => {
    const flow = await start2Flow(app, token, freshNationalId(), INCOME_BODY);
    const { callback } = await answerAtAltinn2(app, flow, PERSON_WITH_DEBT, 'deny');
    expect(returned(callback).flowStatus).toBe('denied');
    expect((await flowOf(app, token, flow.id)).json).toMatchObject({ status: 'denied', error: 'consent_denied' });
    expect((await flowOf(app, token, flow.id)).json.consentId).toBeUndefined();
    expect(tokenCalls()).toBe(0);
  });

  it('takes the state once: a replayed callback is a 400, with no second token call', async () => {
    const flow = await start2Flow(app, token, PERSON_WITH_DEBT, INCOME_BODY);
    const { callback, callbackUrl } = await answerAtAltinn2(app, flow, PERSON_WITH_DEBT);
    expect(returned(callback).flowStatus).toBe('completed');
    const replay = await followCallback(callbackUrl, 'application/json');
    expect([replay.status, (replay.json as { code: string }).code]).toEqual([400, 'INVALID_STATE']);
    expect(tokenCalls()).toBe(1);
  });

  it('fails with token_exchange_failed when Altinn 2 refuses our ApiKey (403), recording nothing', async () => {
    const other = await startAltinn2App(world, { ALTINN2_API_KEY: 'not-our-api-key' });
    try {
      const otherToken = await other.issuer.service(['consent:write', 'consent:read', 'income:read']);
      const flow = await start2Flow(other, otherToken, PERSON_WITH_DEBT, INCOME_BODY);
      const { callback } = await answerAtAltinn2(other, flow, PERSON_WITH_DEBT);
      expect(returned(callback).flowStatus).toBe('failed');
      expect((await flowOf(other, otherToken, flow.id)).json).toMatchObject({ status: 'failed', error: 'token_exchange_failed' });
      expect((await flowOf(other, otherToken, flow.id)).json.consentId).toBeUndefined();
      expect(world.altinn2.sandbox.getCalls('token')).toEqual([expect.objectContaining({ apiKey: 'unknown', status: 403 })]);
      expect(skatteetatenCalls()).toHaveLength(0);
    } finally {
      await other.close();
    }
  });

  const tampered: Array<[string, () => Record<string, unknown>, string]> = [
    ['with a changed payload (signature broken)', () => ({ claims: {} }), 'token_exchange_failed'],
    ['signed by a key Altinn does not publish', () => ({ signer: 'unknown' }), 'token_exchange_failed'],
    ['expired', () => ({ claims: { nbf: nowSeconds() - 300, exp: nowSeconds() - 270 } }), 'token_exchange_failed'],
    ['for another person', () => ({ claims: { OfferedBy: freshNationalId() } }), 'identity_mismatch'],
    ['for another organisation', () => ({ claims: { CoveredBy: '910514458' } }), 'token_exchange_failed'],
    ['without the requested service', () => ({ claims: { Services: ['4628_210607'] } }), 'token_exchange_failed'],
  ];
  it.each(tampered)('refuses a token %s before any use: the flow fails, nothing is recorded, Skatteetaten is not asked', async (what, tamper, error) => {
    if (what.startsWith('with a changed payload')) {
      // A signed token whose payload was altered in transit: Altinn's signature no longer matches.
      const issue = world.altinn2.sandbox.issueToken.bind(world.altinn2.sandbox);
      world.altinn2.sandbox.issueToken = async (...args) => {
        const jwt = await issue(...args);
        if (!jwt) return jwt;
        const [header, payload, signature] = jwt.split('.');
        const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
        return [header, Buffer.from(JSON.stringify({ ...claims, CoveredBy: claims.CoveredBy, ValidToDate: claims.ValidToDate + 86_400 })).toString('base64url'), signature].join('.');
      };
    } else {
      await control(world.altinn2.url, 'token-tamper', tamper());
    }
    try {
      const flow = await start2Flow(app, token, PERSON_WITH_DEBT, INCOME_BODY);
      const { callback } = await answerAtAltinn2(app, flow, PERSON_WITH_DEBT);
      expect(returned(callback).flowStatus).toBe('failed');
      const read = await flowOf(app, token, flow.id);
      expect(read.json).toMatchObject({ status: 'failed', error });
      expect(read.json.consentId).toBeUndefined();
      expect((await api(app, 'GET', `/v1/consent-flows/${flow.id}/income`, { token })).json.code).toBe('FLOW_NOT_COMPLETED');
      expect(skatteetatenCalls()).toHaveLength(0);
    } finally {
      delete (world.altinn2.sandbox as { issueToken?: unknown }).issueToken;
    }
  });
});
