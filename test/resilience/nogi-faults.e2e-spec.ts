import { type StartedNogiSandbox } from '../../src/providers/nogi/sandbox';
import { api, startReadyApp, startSandbox } from '../consents/consents.helpers';
import { consentAtNogi, followCallback, startFlow } from '../support/consent-walk';
import { freshNationalId, PERSON_WITH_DEBT } from '../support/national-ids';
import { type TestApp } from '../support/test-app';
import { metricValue, sleep, timed } from './resilience.helpers';

/**
 * The sandbox NoGi resets connections, hangs and fails: answers are 502/503/504 within a bound,
 * only idempotent calls are retried (the call log shows it), and the Debt API's breaker opens
 * (calls stop reaching NoGi) and closes again once NoGi recovers.
 */
describe('Resilience: NoGi resetting connections, timing out and failing', () => {
  let nogi: StartedNogiSandbox;
  let app: TestApp;
  let admin: string;
  // startTestApp's NOGI_TIMEOUT_MS.
  const TIMEOUT_MS = 1500;

  beforeAll(async () => {
    nogi = await startSandbox();
    app = await startReadyApp({ nogiUrl: nogi.url });
    admin = await app.issuer.service(['consent:write', 'consent:read', 'debt:read', 'consent:admin']);
  });
  afterEach(() => nogi.sandbox.clearFaults());
  afterAll(async () => {
    await app.close();
    await nogi.close();
  });

  const registerConsent = async () => {
    const r = await api(app, 'POST', '/v1/consents', { token: admin, body: { nationalId: PERSON_WITH_DEBT, purpose: 'presentation', durationDays: 30 } });
    expect(r.status).toBe(201);
    return r.json.id as string;
  };
  const debtCalls = () => nogi.sandbox.getCalls('debtById').length;
  const metrics = async () => (await fetch(`${app.url}/metrics`)).text();

  it('retries an idempotent debt read through connection resets, under concurrent load', async () => {
    const id = await registerConsent();
    await api(app, 'GET', `/v1/consents/${id}/debt`, { token: admin }); // token cached
    const from = debtCalls();
    nogi.sandbox.injectFault({ endpoint: 'debtById', kind: 'reset', times: 4 });
    const answers = await Promise.all(Array.from({ length: 8 }, () => timed(() => api(app, 'GET', `/v1/consents/${id}/debt`, { token: admin }))));
    for (const a of answers) {
      expect([200, 503]).toContain(a.value.status);
      if (a.value.status !== 200) expect(a.value.headers['content-type']).toContain('application/problem+json');
      expect(a.ms).toBeLessThan(TIMEOUT_MS + 1000);
    }
    // The 4 resets were absorbed by retries: 8 reads, 12 calls, all answered 200.
    expect(answers.every((a) => a.value.status === 200)).toBe(true);
    expect(debtCalls() - from).toBe(12);
    expect(metricValue(await metrics(), 'upstream_retries_total', 'upstream="nogi",operation="debt.get_by_consent"')).toBeGreaterThanOrEqual(4);
  });

  it('answers 504 within the timeout when NoGi hangs, and does not repeat the hung call', async () => {
    const id = await registerConsent();
    await api(app, 'GET', `/v1/consents/${id}/debt`, { token: admin });
    const from = debtCalls();
    nogi.sandbox.injectFault({ endpoint: 'debtById', kind: 'timeout', times: 1 });
    const { ms, value } = await timed(() => api(app, 'GET', `/v1/consents/${id}/debt`, { token: admin }));
    expect(value.status).toBe(504);
    expect(value.json.code).toBe('NOGI_TIMEOUT');
    expect(ms).toBeLessThan(TIMEOUT_MS + 1000);
    expect(debtCalls() - from).toBe(1);
    expect(metricValue(await metrics(), 'upstream_timeouts_total', 'upstream="nogi",operation="debt.get_by_consent"')).toBeGreaterThanOrEqual(1);
  });

  it('never retries the authorization-code exchange: a reset fails the flow after exactly one exchange', async () => {
    const token = await app.issuer.service(['consent:write', 'consent:read']);
    const started = await startFlow(app, token, { nationalId: PERSON_WITH_DEBT });
    expect(started.status).toBe(201);
    const callbackUrl = await consentAtNogi(app, started.json.authorizationUrl, { nationalId: PERSON_WITH_DEBT });
    const from = nogi.sandbox.getCalls('token').length;
    nogi.sandbox.injectFault({ endpoint: 'token', kind: 'reset', times: 1 });
    const { ms, value } = await timed(() => followCallback(callbackUrl));
    expect(value.status).toBe(303);
    expect(ms).toBeLessThan(TIMEOUT_MS + 1000);
    const exchanges = nogi.sandbox.getCalls('token').slice(from).filter((c) => (c.body as { grant_type?: string } | undefined)?.grant_type === 'authorization_code' || c.body === undefined);
    expect(exchanges).toHaveLength(1);
    const flow = await api(app, 'GET', `/v1/consent-flows/${started.json.id}`, { token });
    expect(flow.json).toMatchObject({ status: 'failed', error: 'nogi_unavailable' });
  });

  it('opens the Debt API breaker on repeated 5xx (calls stop reaching NoGi, 503 at once) and closes it after NoGi recovers', async () => {
    const id = await registerConsent();
    await api(app, 'GET', `/v1/consents/${id}/debt`, { token: admin });
    nogi.sandbox.injectFault({ endpoint: 'debtById', kind: 'status', status: 500 });
    // Each read makes up to 3 attempts; 5 consecutive failures open the breaker.
    for (let i = 0; i < 4; i++) {
      const r = await api(app, 'GET', `/v1/consents/${id}/debt`, { token: admin });
      expect(r.status).toBe(503);
      expect(r.headers['content-type']).toContain('application/problem+json');
    }
    expect(metricValue(await metrics(), 'upstream_circuit_state', 'upstream="nogi",api="debt"')).toBe(1);
    const from = debtCalls();
    const rejected = await timed(() => api(app, 'GET', `/v1/consents/${id}/debt`, { token: admin }));
    expect(rejected.value.status).toBe(503);
    expect(rejected.value.json.code).toBe('NOGI_UNAVAILABLE');
    expect(rejected.ms).toBeLessThan(200);
    expect(debtCalls()).toBe(from);
    expect(metricValue(await metrics(), 'upstream_circuit_rejections_total', 'upstream="nogi",api="debt"')).toBeGreaterThanOrEqual(1);
    // Other NoGi APIs are not affected by the Debt API's breaker.
    const other = await api(app, 'POST', '/v1/consents', { token: admin, body: { nationalId: freshNationalId(), purpose: 'presentation', durationDays: 5 } });
    expect(other.status).toBe(201);

    nogi.sandbox.clearFaults();
    await sleep(5_200); // the breaker's half-open delay
    const recovered = await api(app, 'GET', `/v1/consents/${id}/debt`, { token: admin });
    expect(recovered.status).toBe(200);
    expect(metricValue(await metrics(), 'upstream_circuit_state', 'upstream="nogi",api="debt"')).toBe(0);
  });
});
