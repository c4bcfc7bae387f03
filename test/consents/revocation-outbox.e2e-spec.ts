import { Client } from 'pg';
import { ConsentFeedService } from '../../src/consent-feed/consent-feed.service';
import { REVOCATION_FAILED_LOG, RevocationWorker } from '../../src/consents/revocation.worker';
import { type StartedNogiSandbox } from '../../src/providers/nogi/sandbox';
import { metricValue } from '../consent-feed/feed-test-support';
import { freshNationalId } from '../support/national-ids';
import { eventually } from '../support/tcp-proxy';
import { TestIssuer } from '../support/test-issuer';
import { TEST_CLIENT, type TestApp } from '../support/test-app';
import { api, isolatedDatabase, startReadyApp, startSandbox } from './consents.helpers';

// A database of its own: the revocation worker of every app on a database delivers its rows, so
// apps of other suites (other sandboxes) must not see these.
describe('Revocations NoGi could not confirm', () => {
  let nogi: StartedNogiSandbox;
  let db: { url: string; drop(): Promise<void> };
  let issuer: TestIssuer;
  let admin: string;
  let pg: Client;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    [nogi, db, issuer] = await Promise.all([startSandbox(), isolatedDatabase(), TestIssuer.start()]);
    admin = await issuer.service(['consent:write', 'consent:read', 'debt:read', 'consent:admin']);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });
  afterEach(async () => {
    nogi.sandbox.clearFaults();
    await Promise.all(apps.splice(0).map((a) => a.close()));
  });
  afterAll(async () => {
    await pg.end();
    await Promise.all([nogi.close(), issuer.close()]);
    await db.drop();
  });

  const start = async (redisKeyPrefix?: string, env: Record<string, string> = {}) => {
    const app = await startReadyApp({ nogiUrl: nogi.url, issuer, redisKeyPrefix, env: { DATABASE_URL: db.url, ...env } });
    apps.push(app);
    return app;
  };
  const register = async (app: TestApp) => {
    const res = await api(app, 'POST', '/v1/consents', { token: admin, body: { nationalId: freshNationalId(), purpose: 'presentation', durationDays: 60 } });
    expect(res.status).toBe(201);
    return res.json as { id: string; clientConsentId: string };
  };
  const nogiConsentOf = (clientConsentId: string) => nogi.sandbox.listConsents(TEST_CLIENT.id).find((c) => c.externalConsentId === clientConsentId)!;
  const confirmedDeletes = (nogiId: string) => nogi.sandbox.getCalls('revoke').filter((c) => c.path === `/v1/debt/${nogiId}` && c.status === 204);
  const statusOf = async (app: TestApp, id: string) => (await api(app, 'GET', `/v1/consents/${id}`, { token: admin })).json.status as string;
  const audits = async (consentId: string, action: string) =>
    (await pg.query<{ actor_subject: string; outcome: string; detail: Record<string, unknown> | null }>('SELECT actor_subject, outcome, detail FROM audit_event WHERE consent_id = $1 AND action = $2 ORDER BY id', [consentId, action])).rows;
  const outboxRow = async (consentId: string) => (await pg.query('SELECT * FROM revocation_outbox WHERE consent_id = $1', [consentId])).rows[0];

  it('answers 202 revoking while NoGi’s DELETE fails, and delivers the revocation once NoGi recovers', async () => {
    const app = await start();
    const consent = await register(app);
    nogi.sandbox.injectFault({ endpoint: 'revoke', kind: 'status', status: 503 });
    const revoking = await api(app, 'DELETE', `/v1/consents/${consent.id}`, { token: admin });
    expect(revoking.status).toBe(202);
    expect(revoking.json).toMatchObject({ id: consent.id, status: 'revoking' });
    // Still revoking: no debt is disclosed meanwhile, and a repeated DELETE answers the same.
    expect((await api(app, 'GET', `/v1/consents/${consent.id}/debt`, { token: admin })).status).toBe(410);
    expect((await api(app, 'DELETE', `/v1/consents/${consent.id}`, { token: admin })).status).toBe(202);
    // Let the worker fail at least once more before NoGi recovers.
    const failedBefore = nogi.sandbox.getCalls('revoke').length;
    await eventually(async () => nogi.sandbox.getCalls('revoke').length, (n) => n > failedBefore, 10_000);
    nogi.sandbox.clearFaults();

    await eventually(() => statusOf(app, consent.id), (s) => s === 'revoked', 15_000);
    const nogiId = nogiConsentOf(consent.clientConsentId).id;
    expect(nogi.sandbox.consent(nogiId)?.revokedBy).toBe('client');
    expect(confirmedDeletes(nogiId)).toHaveLength(1);
    expect((await api(app, 'DELETE', `/v1/consents/${consent.id}`, { token: admin })).status).toBe(204);
  });

  it('delivers a queued revocation after the service restarts, exactly once', async () => {
    const first = await start();
    const consent = await register(first);
    nogi.sandbox.injectFault({ endpoint: 'revoke', kind: 'status', status: 503 });
    expect((await api(first, 'DELETE', `/v1/consents/${consent.id}`, { token: admin })).status).toBe(202);
    await first.close();
    apps.splice(apps.indexOf(first), 1);
    nogi.sandbox.clearFaults();

    const second = await start();
    expect(await statusOf(second, consent.id)).toBe('revoking');
    await eventually(() => statusOf(second, consent.id), (s) => s === 'revoked', 15_000);
    expect(confirmedDeletes(nogiConsentOf(consent.clientConsentId).id)).toHaveLength(1);
  });

  it('never delivers a revocation twice when two replicas run the worker', async () => {
    const a = await start();
    const b = await start(a.redisKeyPrefix);
    nogi.sandbox.injectFault({ endpoint: 'revoke', kind: 'status', status: 503 });
    const consents = await Promise.all(Array.from({ length: 5 }, () => register(a)));
    for (const c of consents) expect((await api(a, 'DELETE', `/v1/consents/${c.id}`, { token: admin })).status).toBe(202);
    // NoGi recovers slowly: each DELETE takes a while, so the replicas' passes overlap.
    nogi.sandbox.clearFaults();
    nogi.sandbox.injectFault({ endpoint: 'revoke', kind: 'latency', latencyMs: 300 });
    for (const c of consents) await eventually(() => statusOf(b, c.id), (s) => s === 'revoked', 20_000);
    for (const c of consents) {
      const nogiId = nogiConsentOf(c.clientConsentId).id;
      expect(nogi.sandbox.getCalls('revoke').filter((call) => call.path === `/v1/debt/${nogiId}` && call.status !== 503)).toHaveLength(1);
    }
  });

  it('writes one consent.revoked audit row when two DELETEs of the same consent reach NoGi at once', async () => {
    const app = await start();
    const consent = await register(app);
    // Both requests read the consent active before either hears back: NoGi confirms the first and
    // answers the second with 403 `invalid consent` (already revoked).
    nogi.sandbox.injectFault({ endpoint: 'revoke', kind: 'latency', latencyMs: 400 });
    const answers = await Promise.all([1, 2].map(() => api(app, 'DELETE', `/v1/consents/${consent.id}`, { token: admin })));

    expect(answers.map((a) => a.status)).toEqual([204, 204]);
    expect(nogi.sandbox.getCalls('revoke').filter((c) => c.path === `/v1/debt/${nogiConsentOf(consent.clientConsentId).id}`).map((c) => c.status).sort()).toEqual([204, 403]);
    expect(await statusOf(app, consent.id)).toBe('revoked');
    expect(await audits(consent.id, 'consent.revoked')).toHaveLength(1);
  });

  it('writes no second consent.revoked audit row when the feed recorded the revocation before the worker delivered it', async () => {
    const app = await start();
    const consent = await register(app);
    nogi.sandbox.injectFault({ endpoint: 'revoke', kind: 'status', status: 503 });
    expect((await api(app, 'DELETE', `/v1/consents/${consent.id}`, { token: admin })).status).toBe(202);
    // NoGi ends the consent anyway; the feed turns our `revoking` into `revoked` (one audit row).
    nogi.sandbox.archiveConsent(nogiConsentOf(consent.clientConsentId).id);
    expect(await app.app.get(ConsentFeedService).syncOnce()).toMatchObject({ outcome: 'synced' });
    expect(await statusOf(app, consent.id)).toBe('revoked');
    nogi.sandbox.clearFaults();

    // The worker's DELETE now meets 403 `invalid consent`: final, delivered, nothing changes.
    await eventually(() => outboxRow(consent.id), (row) => row?.delivered_at instanceof Date, 15_000);
    expect(await statusOf(app, consent.id)).toBe('revoked');
    expect((await audits(consent.id, 'consent.revoked')).map((a) => a.actor_subject)).toEqual(['system:feed']);
  });

  /** The give-up is recorded once: one failed row, one audit row, the metric, one alertable log line. */
  const expectRecordedFailure = async (app: TestApp, consentId: string, reason: string, code: string) => {
    const row = await outboxRow(consentId);
    expect(row).toMatchObject({ failure_reason: reason, last_error: code, delivered_at: null });
    expect(row.failed_at).toBeInstanceOf(Date);
    expect(await audits(consentId, 'consent.revocation_failed')).toEqual([{ actor_subject: 'system:revocation-worker', outcome: code, detail: { reason, attempts: row.attempts } }]);
    expect(await metricValue(app, 'consent_revocations_failed_total', { upstream: 'nogi', reason })).toBe(1);
    const lines = app.logs.filter((l) => l.includes(REVOCATION_FAILED_LOG)).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 50, event: 'consent.revocation_failed', consentId, reason, code });
    // The consent shows `revoking` until someone acts; the worker leaves the row alone.
    expect(await statusOf(app, consentId)).toBe('revoking');
    const calls = nogi.sandbox.getCalls('revoke').length;
    await app.app.get(RevocationWorker).tick();
    expect(nogi.sandbox.getCalls('revoke')).toHaveLength(calls);
    expect((await api(app, 'DELETE', `/v1/consents/${consentId}`, { token: admin })).status).toBe(202);
  };

  it('records a revocation NoGi refuses for good (a 4xx other than invalid consent) as failed: one audit row, the metric and one log line, and stops retrying', async () => {
    const app = await start();
    const consent = await register(app);
    nogi.sandbox.injectFault({ endpoint: 'revoke', kind: 'status', status: 400, error: 'bad request', errorDescription: 'Consent cannot be revoked' });

    expect((await api(app, 'DELETE', `/v1/consents/${consent.id}`, { token: admin })).status).toBe(202);

    await eventually(() => outboxRow(consent.id), (row) => row?.failed_at instanceof Date, 15_000);
    await expectRecordedFailure(app, consent.id, 'nogi_rejected', 'nogi_rejected');
  });

  it('gives a revocation up once it has failed for REVOCATION_GIVE_UP_HOURS, and not before', async () => {
    const app = await start(undefined, { REVOCATION_GIVE_UP_HOURS: '2' });
    const consent = await register(app);
    nogi.sandbox.injectFault({ endpoint: 'revoke', kind: 'status', status: 503 });
    expect((await api(app, 'DELETE', `/v1/consents/${consent.id}`, { token: admin })).status).toBe(202);
    // Retried while NoGi is down, not given up.
    await eventually(() => outboxRow(consent.id), (row) => row?.attempts >= 2, 15_000);
    expect((await outboxRow(consent.id)).failed_at).toBeNull();

    // Two hours pass (time moved in the database, not waited for); the next attempt fails too.
    await pg.query(`UPDATE revocation_outbox SET created_at = now() - interval '2 hours 1 minute', next_attempt_at = now() WHERE consent_id = $1`, [consent.id]);
    await eventually(() => outboxRow(consent.id), (row) => row?.failed_at instanceof Date, 15_000);
    await expectRecordedFailure(app, consent.id, 'gave_up', 'nogi_unavailable');
  });
});
