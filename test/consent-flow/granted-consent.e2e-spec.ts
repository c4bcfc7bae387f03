import { Client } from 'pg';
import { startNogiSandbox, StartedNogiSandbox } from '../../src/providers/nogi/sandbox';
import { isolatedDatabase } from '../consents/consents.helpers';
import { http } from '../sandbox/nogi-sandbox.helpers';
import { consentAtNogi, FLOW_SCOPES, followCallback, startFlow } from '../support/consent-walk';
import { freshNationalId } from '../support/national-ids';
import { eventually, TcpProxy } from '../support/tcp-proxy';
import { startTestApp, TEST_CLIENT, TestApp } from '../support/test-app';
import { TEST_REDIS_URL } from '../support/test-env';

const REDIRECT_URI = 'http://127.0.0.1:3000/v1/consent-flows/callback';

/**
 * Our own PostgreSQL or Redis failing in the callback after NoGi granted the consent: the consent
 * ends up recorded here or revoked at NoGi, never live at NoGi with no record. Both are reached
 * through a TcpProxy the test cuts while NoGi is answering.
 */
describe('a consent NoGi granted while our database or Redis fails in the callback', () => {
  let db: { url: string; drop(): Promise<void> };
  let pgProxy: TcpProxy;
  let redisProxy: TcpProxy;
  let nogi: StartedNogiSandbox;
  let app: TestApp;
  let sql: Client;
  let token: string;

  beforeAll(async () => {
    db = await isolatedDatabase();
    const pg = new URL(db.url);
    pgProxy = await TcpProxy.start(pg.hostname, Number(pg.port || 5432));
    const redis = new URL(TEST_REDIS_URL);
    redisProxy = await TcpProxy.start(redis.hostname, Number(redis.port || 6379));
    const proxiedPg = new URL(db.url);
    proxiedPg.port = String(pgProxy.port);
    nogi = await startNogiSandbox({ port: 0, clients: [{ clientId: TEST_CLIENT.id, clientSecret: TEST_CLIENT.secret, redirectUris: [REDIRECT_URI] }] });
    app = await startTestApp({ nogiUrl: nogi.url, env: { DATABASE_URL: proxiedPg.toString(), REDIS_URL: `redis://127.0.0.1:${redisProxy.port}${redis.pathname}` } });
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    token = await app.issuer.service(FLOW_SCOPES);
  });
  afterAll(async () => {
    await app?.close();
    await pgProxy?.close();
    await redisProxy?.close();
    await sql?.end();
    await nogi?.close();
    await db?.drop();
  });
  beforeEach(async () => {
    nogi.sandbox.clearFaults();
    nogi.sandbox.clearCalls();
    await eventually(async () => (await http('GET', `${app.url}/health/ready`)).status, (s) => s === 200);
  });

  const rowOf = async (providerConsentId: string) => (await sql.query('SELECT status, national_id_hash FROM consent WHERE provider_consent_id = $1', [providerConsentId])).rows;
  const consentAtNogiOf = (nationalId: string) => nogi.sandbox.listConsents(TEST_CLIENT.id).find((c) => c.nationalId === nationalId)!;

  /** Walks to NoGi's redirect and calls our callback while NoGi's `endpoint` answers 0.8 s late; `cut` runs once that call arrived. */
  async function callbackWhile(endpoint: 'debt' | 'token', cut: () => void) {
    const nationalId = freshNationalId();
    const started = (await startFlow(app, token, { nationalId, durationDays: 30 })).json as { id: string; authorizationUrl: string };
    const callbackUrl = await consentAtNogi(app, started.authorizationUrl, { nationalId });
    nogi.sandbox.injectFault({ endpoint, kind: 'latency', latencyMs: 800, times: 1 });
    const callback = followCallback(callbackUrl, 'application/json');
    await eventually(async () => nogi.sandbox.getCalls(endpoint).length, (n) => n >= 1, 5000);
    cut();
    return { nationalId, flowId: started.id, callback: await callback };
  }

  it('revokes the consent at NoGi directly, with an alertable log line, when the database stays away after NoGi granted it', async () => {
    const { nationalId, flowId, callback } = await callbackWhile('debt', () => pgProxy.cut());
    try {
      expect([303, 503]).toContain(callback.status);
      const granted = consentAtNogiOf(nationalId);
      expect(granted.active).toBe(false);
      expect(granted.revokedBy).toBe('client');
      expect(nogi.sandbox.getCalls('revoke').map((c) => c.status)).toEqual([204]);
      const alert = app.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.event === 'consent.unrecorded');
      expect(alert).toMatchObject({ level: 50, outcome: 'revoked', providerConsentId: granted.id, flowId });
      expect(JSON.stringify(alert)).not.toContain(nationalId);
      const metrics = await http('GET', `${app.url}/metrics`);
      expect(metrics.text).toMatch(/consent_unrecorded_total\{provider="nogi",outcome="revoked"\} 1/);
      const flow = await http('GET', `${app.url}/v1/consent-flows/${flowId}`, { headers: { authorization: `Bearer ${token}` } });
      expect(flow.json).toMatchObject({ status: 'failed', error: 'server_error' });
    } finally {
      pgProxy.restore();
    }
    expect(await rowOf(consentAtNogiOf(nationalId).id)).toEqual([]);
  });

  it('records the consent when the database comes back within the brief retry, and the flow completes', async () => {
    const logsBefore = app.logs.length;
    const restoreOnFirstFailure = (async () => {
      await eventually(async () => app.logs.slice(logsBefore).some((l) => l.includes('Recording a granted consent failed')), (seen) => seen, 10_000);
      pgProxy.restore();
    })();
    const { nationalId, callback } = await callbackWhile('debt', () => pgProxy.cut());
    await restoreOnFirstFailure;
    expect(callback.status).toBe(303);
    expect(new URL(String(callback.headers.location)).searchParams.get('status')).toBe('completed');
    const granted = consentAtNogiOf(nationalId);
    expect(granted.active).toBe(true);
    expect(await rowOf(granted.id)).toEqual([{ status: 'active', national_id_hash: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    expect(nogi.sandbox.getCalls('revoke')).toHaveLength(0);
  });

  it('records the consent when Redis goes away while the code is exchanged (the flow was read with its state, before the exchange)', async () => {
    const { nationalId, callback } = await callbackWhile('token', () => redisProxy.cut());
    redisProxy.restore();
    // Redis is still away when the flow's debt is to be kept: the request fails, the consent is recorded.
    expect([303, 503]).toContain(callback.status);
    const granted = consentAtNogiOf(nationalId);
    expect(await rowOf(granted.id)).toEqual([{ status: 'active', national_id_hash: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
  });
});
