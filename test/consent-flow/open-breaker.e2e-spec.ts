import { NogiTokenClient } from '../../src/providers/nogi/nogi-token.client';
import { type StartedNogiSandbox } from '../../src/providers/nogi/sandbox';
import { api, isolatedDatabase, startReadyApp, startSandbox } from '../consents/consents.helpers';
import { metricValue } from '../resilience/resilience.helpers';
import { http } from '../sandbox/nogi-sandbox.helpers';
import { consentAtNogi, followCallback, startFlow } from '../support/consent-walk';
import { eventually } from '../support/tcp-proxy';
import { OTHER_PERSON_WITH_DEBT, PERSON_WITH_DEBT } from '../support/national-ids';
import { TEST_CLIENT, type TestApp } from '../support/test-app';

/**
 * NoGi failed until the breakers of its token and Debt APIs opened, then healed. A customer who
 * has just finished BankID comes back to the callback while the breakers are still open: the
 * callback tries its calls anyway (the breakers keep guarding everything else).
 */
describe('consent flow callback while NoGi breakers are open', () => {
  let nogi: StartedNogiSandbox;
  let app: TestApp;
  let token: string;
  let consentId: string;
  // Its own database: the discarded consent's queued revocation must reach this suite's sandbox,
  // not be taken by another suite's outbox worker.
  let db: { url: string; drop(): Promise<void> };

  beforeAll(async () => {
    db = await isolatedDatabase();
    nogi = await startSandbox();
    app = await startReadyApp({ nogiUrl: nogi.url, env: { DATABASE_URL: db.url } });
    token = await app.issuer.service(['consent:write', 'consent:read', 'consent:admin', 'debt:read']);
    // A consent to read debt with: this caches NoGi's discovery and the debt token.
    const registered = await api(app, 'POST', '/v1/consents', { token, body: { nationalId: PERSON_WITH_DEBT, purpose: 'presentation', durationDays: 30 } });
    expect(registered.status).toBe(201);
    consentId = registered.json.id;
    expect((await api(app, 'GET', `/v1/consents/${consentId}/debt`, { token })).status).toBe(200);
  });
  afterEach(() => nogi.sandbox.clearFaults());
  afterAll(async () => {
    await app.close();
    await nogi.close();
    await db.drop();
  });

  const metrics = async () => (await http('GET', `${app.url}/metrics`)).text;

  /** NoGi fails until the token and Debt API breakers are open (5 failures in a row each), then heals. */
  const openBreakersThenHeal = async () => {
    nogi.sandbox.injectFault({ endpoint: 'token', kind: 'status', status: 500 });
    for (let i = 0; i < 5; i++) await expect(app.app.get(NogiTokenClient).token('feed')).rejects.toMatchObject({ code: 'NOGI_UNAVAILABLE' });
    nogi.sandbox.injectFault({ endpoint: 'debtById', kind: 'status', status: 500 });
    // Each read makes up to three attempts.
    for (let i = 0; i < 2; i++) expect((await api(app, 'GET', `/v1/consents/${consentId}/debt`, { token })).status).toBe(503);
    nogi.sandbox.clearFaults();
    const text = await metrics();
    expect(metricValue(text, 'upstream_circuit_state', 'upstream="nogi",api="token"')).toBe(1);
    expect(metricValue(text, 'upstream_circuit_state', 'upstream="nogi",api="debt"')).toBe(1);
    // The breakers still guard every other call: refused at once, NoGi not called.
    const debtReads = nogi.sandbox.getCalls('debtById').length;
    const refused = await api(app, 'GET', `/v1/consents/${consentId}/debt`, { token });
    expect(refused.json).toMatchObject({ status: 503, code: 'NOGI_UNAVAILABLE' });
    expect(nogi.sandbox.getCalls('debtById')).toHaveLength(debtReads);
  };

  /** The customer's walk at NoGi, done before NoGi fails: the callback URL it ends on. */
  const consentedFlow = async (personAtNogi: string) => {
    const started = await startFlow(app, token, { nationalId: PERSON_WITH_DEBT, durationDays: 30 });
    expect(started.status).toBe(201);
    return { flowId: started.json.id as string, callbackUrl: await consentAtNogi(app, started.json.authorizationUrl, { nationalId: personAtNogi }) };
  };

  it('exchanges the code, verifies the ID token, collects the debt and completes the flow', async () => {
    const { flowId, callbackUrl } = await consentedFlow(PERSON_WITH_DEBT);
    await openBreakersThenHeal();
    nogi.sandbox.clearCalls();

    const callback = await followCallback(callbackUrl);
    expect(callback.status).toBe(303);
    expect(new URL(String(callback.headers.location)).searchParams.get('status')).toBe('completed');
    const calls = nogi.sandbox.getCalls();
    expect(calls.filter((c) => c.endpoint === 'token').map((c) => [(c.body as { grant_type?: string }).grant_type, c.status])).toEqual([['authorization_code', 200]]);
    expect(calls.filter((c) => c.endpoint === 'jwks').map((c) => c.status)).toEqual([200]);
    expect(calls.filter((c) => c.endpoint === 'debt').map((c) => c.status)).toEqual([200]);

    const flow = await api(app, 'GET', `/v1/consent-flows/${flowId}`, { token });
    expect(flow.json).toMatchObject({ status: 'completed', consentId: expect.any(String) });
    const debt = await api(app, 'GET', `/v1/consent-flows/${flowId}/debt`, { token });
    expect(debt.status).toBe(200);
    expect(debt.json.consent.id).toBe(flow.json.consentId);
    const text = await metrics();
    expect(metricValue(text, 'upstream_circuit_bypasses_total', 'upstream="nogi",api="token"')).toBeGreaterThanOrEqual(2);
    expect(metricValue(text, 'upstream_circuit_bypasses_total', 'upstream="nogi",api="debt"')).toBeGreaterThanOrEqual(1);
  });

  // The discard is queued in the transaction that records it; the outbox worker delivers it as
  // soon as the Debt API's breaker lets a call through again.
  it("revokes at NoGi a consent it must discard (another person's), although the Debt API's breaker is open", async () => {
    const { flowId, callbackUrl } = await consentedFlow(OTHER_PERSON_WITH_DEBT);
    await openBreakersThenHeal();
    nogi.sandbox.clearCalls();

    const callback = await followCallback(callbackUrl);
    expect(callback.status).toBe(303);
    expect((await api(app, 'GET', `/v1/consent-flows/${flowId}`, { token })).json).toMatchObject({ status: 'failed', error: 'identity_mismatch' });
    const revoked = await eventually(async () => nogi.sandbox.getCalls('revoke'), (calls) => calls.length > 0, 20_000);
    expect(revoked.map((c) => c.status)).toEqual([204]);
    expect(nogi.sandbox.listConsents(TEST_CLIENT.id).find((c) => revoked[0].path.endsWith(c.id))?.active).toBe(false);
  });
});
