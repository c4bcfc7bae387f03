import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { ConsentFeedService } from '../../src/consent-feed/consent-feed.service';
import { type StartedNogiSandbox } from '../../src/providers/nogi/sandbox';
import { freshNationalId } from '../support/national-ids';
import { eventually, TcpProxy } from '../support/tcp-proxy';
import { TEST_CLIENT, type TestApp } from '../support/test-app';
import { api, isolatedDatabase, startReadyApp, startSandbox } from './consents.helpers';

/**
 * A registration retried with its Idempotency-Key after a failure that happened once NoGi had
 * accepted (its answer lost to our timeout, or our database failing right after it) ends as one
 * consent at NoGi and one record here. PostgreSQL is reached through a TcpProxy the test cuts.
 */
describe('Registering a consent again after a failure behind NoGi', () => {
  let db: { url: string; drop(): Promise<void> };
  let proxy: TcpProxy;
  let nogi: StartedNogiSandbox;
  let app: TestApp;
  let sql: Client;
  let admin: string;

  beforeAll(async () => {
    db = await isolatedDatabase();
    const target = new URL(db.url);
    proxy = await TcpProxy.start(target.hostname, Number(target.port || 5432));
    const proxied = new URL(db.url);
    proxied.port = String(proxy.port);
    nogi = await startSandbox();
    app = await startReadyApp({ nogiUrl: nogi.url, env: { DATABASE_URL: proxied.toString() } });
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    admin = await app.issuer.service(['consent:write', 'consent:read']);
  });
  afterAll(async () => {
    await app.close();
    await proxy.close();
    await sql.end();
    await nogi.close();
    await db.drop();
  });
  beforeEach(() => {
    nogi.sandbox.clearFaults();
    nogi.sandbox.refuseRepeatedAgreements = false;
  });

  const register = (key: string, nationalId: string) =>
    api(app, 'POST', '/v1/consents', { token: admin, body: { nationalId, purpose: 'presentation', durationDays: 30 }, headers: { 'idempotency-key': key } });
  const consentsAtNogi = (nationalId: string) => nogi.sandbox.listConsents(TEST_CLIENT.id).filter((c) => c.nationalId === nationalId);
  const agreementCalls = (nationalId: string) => nogi.sandbox.getCalls('agreement').filter((c) => (c.body as { nin?: string } | undefined)?.nin === nationalId);
  const rowsFor = async (providerConsentIds: string[]) =>
    (await sql.query('SELECT id, status, source, client_consent_id FROM consent WHERE provider_consent_id = ANY($1::text[])', [providerConsentIds])).rows;
  /** NoGi registers the agreement only after our NOGI_TIMEOUT_MS (1.5 s) has passed: its answer is lost. */
  const loseNogisAnswer = () => nogi.sandbox.injectFault({ endpoint: 'agreement', kind: 'latency', latencyMs: 2500, times: 1 });

  it('sends the same client_consent_id again when NoGi registered but its answer came too late, and records the one consent', async () => {
    const nationalId = freshNationalId();
    const key = randomUUID();
    loseNogisAnswer();
    const first = await register(key, nationalId);
    expect(first.status).toBe(504);
    expect(first.json.code).toBe('NOGI_TIMEOUT');
    await eventually(async () => consentsAtNogi(nationalId).length, (n) => n === 1);

    const retried = await register(key, nationalId);
    expect(retried.status).toBe(201);
    const atNogi = consentsAtNogi(nationalId);
    expect(atNogi).toHaveLength(1);
    const calls = agreementCalls(nationalId);
    expect(calls).toHaveLength(2);
    expect(new Set(calls.map((c) => (c.body as { client_consent_id: string }).client_consent_id))).toEqual(new Set([retried.json.clientConsentId]));
    expect(await rowsFor([atNogi[0].id])).toEqual([{ id: retried.json.id, status: 'active', source: 'agreement', client_consent_id: retried.json.clientConsentId }]);
    // And a replay now answers what was recorded.
    expect((await register(key, nationalId)).json).toEqual(retried.json);
  });

  it('records the consent NoGi accepted when our database failed right after it, without registering it again', async () => {
    const nationalId = freshNationalId();
    const key = randomUUID();
    // NoGi answers after 0.7 s; the database goes away while it is registering.
    nogi.sandbox.injectFault({ endpoint: 'agreement', kind: 'latency', latencyMs: 700, times: 1 });
    const pending = register(key, nationalId);
    await eventually(async () => agreementCalls(nationalId).length, (n) => n === 1, 5000);
    proxy.cut();
    const first = await pending;
    proxy.restore();
    expect(first.status).toBe(503);
    expect(consentsAtNogi(nationalId)).toHaveLength(1);
    await eventually(() => api(app, 'GET', '/health/ready').then((r) => r.status), (s) => s === 200);

    const retried = await eventually(() => register(key, nationalId), (r) => r.status !== 503, 10_000);
    expect(retried.status).toBe(201);
    const atNogi = consentsAtNogi(nationalId);
    expect(atNogi).toHaveLength(1);
    expect(agreementCalls(nationalId)).toHaveLength(1);
    expect(await rowsFor([atNogi[0].id])).toEqual([{ id: retried.json.id, status: 'active', source: 'agreement', client_consent_id: retried.json.clientConsentId }]);
  });

  it('makes no second consent when NoGi refuses the repeated PUT with 409: the retry waits for NoGi’s feed and then takes that consent', async () => {
    nogi.sandbox.refuseRepeatedAgreements = true;
    const nationalId = freshNationalId();
    const key = randomUUID();
    loseNogisAnswer();
    expect((await register(key, nationalId)).status).toBe(504);
    await eventually(async () => consentsAtNogi(nationalId).length, (n) => n === 1);

    const early = await register(key, nationalId);
    expect(early.status).toBe(409);
    expect(early.json.code).toBe('IDEMPOTENCY_IN_PROGRESS');
    expect(early.headers['retry-after']).toBeDefined();

    // The feed learns the consent (no customer yet) under the client_consent_id we sent.
    expect((await app.app.get(ConsentFeedService).syncOnce()).outcome).not.toBe('failed');
    const atNogi = consentsAtNogi(nationalId);
    expect(atNogi).toHaveLength(1);
    expect((await rowsFor([atNogi[0].id]))[0]).toMatchObject({ source: 'external', client_consent_id: atNogi[0].externalConsentId });

    const retried = await register(key, nationalId);
    expect(retried.status).toBe(201);
    expect(retried.json.clientConsentId).toBe(atNogi[0].externalConsentId);
    expect(consentsAtNogi(nationalId)).toHaveLength(1);
    expect(await rowsFor([atNogi[0].id])).toEqual([{ id: retried.json.id, status: 'active', source: 'agreement', client_consent_id: atNogi[0].externalConsentId }]);
    const mine = await api(app, 'GET', '/v1/consents', { token: admin, headers: { 'x-national-id': nationalId } });
    expect(mine.json.items.map((c: { id: string }) => c.id)).toEqual([retried.json.id]);
  });

  describe('without an Idempotency-Key (nothing would ever resume it)', () => {
    const registerOnce = (nationalId: string) => api(app, 'POST', '/v1/consents', { token: admin, body: { nationalId, purpose: 'presentation', durationDays: 30 } });
    /** NoGi answers after 0.7 s; `cut` runs once the registration reached it. */
    async function registerWhile(nationalId: string, cut: () => void) {
      nogi.sandbox.injectFault({ endpoint: 'agreement', kind: 'latency', latencyMs: 700, times: 1 });
      const pending = registerOnce(nationalId);
      await eventually(async () => agreementCalls(nationalId).length, (n) => n === 1, 5000);
      cut();
      return pending;
    }

    it('revokes the consent at NoGi directly, with an alertable log line, when the database stays away after NoGi accepted it', async () => {
      const nationalId = freshNationalId();
      nogi.sandbox.clearCalls();
      let response;
      try {
        response = await registerWhile(nationalId, () => proxy.cut());
      } finally {
        proxy.restore();
      }
      expect(response.status).toBe(503);
      expect(response.json.code).toBe('DEPENDENCY_UNAVAILABLE');
      const [atNogi] = consentsAtNogi(nationalId);
      expect(atNogi).toMatchObject({ active: false, revokedBy: 'client' });
      expect(nogi.sandbox.getCalls('revoke').map((c) => c.status)).toEqual([204]);
      const alert = app.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.event === 'consent.unrecorded' && l.providerConsentId === atNogi.id);
      expect(alert).toMatchObject({ level: 50, outcome: 'revoked', provider: 'nogi', consentId: expect.any(String) });
      expect(JSON.stringify(alert)).not.toContain(nationalId);
      expect((await api(app, 'GET', '/metrics')).json).toMatch(/consent_unrecorded_total\{provider="nogi",outcome="revoked"\} 1/);
      await eventually(() => api(app, 'GET', '/health/ready').then((r) => r.status), (s) => s === 200);
      expect(await rowsFor([atNogi.id])).toEqual([]);
    });

    it('records the consent when the database comes back within the brief retry', async () => {
      const nationalId = freshNationalId();
      nogi.sandbox.clearCalls();
      const logsBefore = app.logs.length;
      const restoreOnFirstFailure = (async () => {
        await eventually(async () => app.logs.slice(logsBefore).some((l) => l.includes('Recording a granted consent failed')), (seen) => seen, 10_000);
        proxy.restore();
      })();
      const response = await registerWhile(nationalId, () => proxy.cut());
      await restoreOnFirstFailure;
      expect(response.status).toBe(201);
      const [atNogi] = consentsAtNogi(nationalId);
      expect(atNogi.active).toBe(true);
      expect(await rowsFor([atNogi.id])).toEqual([{ id: response.json.id, status: 'active', source: 'agreement', client_consent_id: response.json.clientConsentId }]);
      expect(nogi.sandbox.getCalls('revoke')).toHaveLength(0);
    });
  });
});
