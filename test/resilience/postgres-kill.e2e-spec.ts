import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { type StartedNogiSandbox } from '../../src/providers/nogi/sandbox';
import { api, isolatedDatabase, startReadyApp, startSandbox, type ApiResponse } from '../consents/consents.helpers';
import { freshNationalId } from '../support/national-ids';
import { eventually } from '../support/tcp-proxy';
import { type TestApp } from '../support/test-app';
import { loadFor, sleep } from './resilience.helpers';

const KILL = `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'nogi-consent-bff' AND datname = current_database() AND pid <> pg_backend_pid()`;

/**
 * PostgreSQL connections are killed (pg_terminate_backend) again and again while consents are
 * registered and revoked: every request either succeeded (and its row is there) or failed with a
 * 5xx problem; a registration retried with its Idempotency-Key afterwards ends as exactly one
 * consent; revocations end revoked; and the same process serves again.
 */
describe('Resilience: PostgreSQL connections killed during load', () => {
  let db: { url: string; drop(): Promise<void> };
  let nogi: StartedNogiSandbox;
  let app: TestApp;
  let sql: Client;
  let admin: string;

  beforeAll(async () => {
    db = await isolatedDatabase();
    nogi = await startSandbox();
    app = await startReadyApp({ nogiUrl: nogi.url, env: { DATABASE_URL: db.url } });
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    admin = await app.issuer.service(['consent:write', 'consent:read', 'consent:admin']);
  });
  afterAll(async () => {
    await app.close();
    await sql.end();
    await nogi.close();
    await db.drop();
  });

  interface Attempt {
    key: string;
    clientConsentId: string;
    body: Record<string, unknown>;
    response: ApiResponse;
  }

  const register = async (key: string, body: Record<string, unknown>) =>
    api(app, 'POST', '/v1/consents', { token: admin, body, headers: { 'idempotency-key': key } });

  const expectSuccessOrProblem = (r: ApiResponse, ok: number[]) => {
    if (ok.includes(r.status)) return;
    expect(r.status).toBeGreaterThanOrEqual(500);
    expect(r.headers['content-type']).toContain('application/problem+json');
    expect(typeof r.json.code).toBe('string');
  };

  it('registers and revokes through repeated connection kills: no lost or partial record, and serves again', async () => {
    // Consents to revoke during the kills.
    const toRevoke: string[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await register(randomUUID(), { nationalId: freshNationalId(), purpose: 'presentation', durationDays: 30, clientConsentId: `pre-${randomUUID()}` });
      expect(r.status).toBe(201);
      toRevoke.push(r.json.id);
    }

    let killing = true;
    let kills = 0;
    const killer = (async () => {
      while (killing && kills < 40) {
        const killed = await sql.query(KILL);
        kills += killed.rowCount ?? 0;
        await sleep(150);
      }
    })();

    const attempts: Attempt[] = [];
    const revocations: Array<{ id: string; response: ApiResponse }> = [];
    const pending = [...toRevoke];
    await loadFor(3000, 4, async () => {
      const id = pending.shift();
      if (id) {
        revocations.push({ id, response: await api(app, 'DELETE', `/v1/consents/${id}`, { token: admin }) });
        return;
      }
      const clientConsentId = `kill-${randomUUID()}`;
      const body = { nationalId: freshNationalId(), purpose: 'processing', durationDays: 14, clientConsentId };
      const key = randomUUID();
      attempts.push({ key, clientConsentId, body, response: await register(key, body) });
    }, 300);
    killing = false;
    await killer;
    expect(kills).toBeGreaterThan(0);

    for (const a of attempts) expectSuccessOrProblem(a.response, [201]);
    for (const r of revocations) expectSuccessOrProblem(r.response, [202, 204]);

    // The service serves again without a restart.
    await eventually(() => api(app, 'GET', '/health/ready').then((r) => r.status), (s) => s === 200, 10_000);

    // Every 201 has its row; every failure left none, and its retry (same key, same body) creates
    // exactly one: a client retrying a 5xx never loses or doubles a consent.
    for (const a of attempts) {
      const rows = await sql.query('SELECT id FROM consent WHERE client_consent_id = $1', [a.clientConsentId]);
      if (a.response.status === 201) {
        expect(rows.rows.map((r) => r.id)).toEqual([a.response.json.id]);
        continue;
      }
      const retried = await eventually(() => register(a.key, a.body), (r) => r.status !== 409, 5000);
      expect(retried.status).toBe(201);
      const after = await sql.query('SELECT id FROM consent WHERE client_consent_id = $1', [a.clientConsentId]);
      expect(after.rows.map((r) => r.id)).toEqual([retried.json.id]);
    }
    const total = await sql.query(`SELECT count(*)::int AS n FROM consent WHERE client_consent_id LIKE 'kill-%'`);
    expect(total.rows[0].n).toBe(attempts.length);

    // A revocation answered 204 is revoked, 202 is revoking (durably queued); one that failed left
    // the consent as it was, and revoking again now completes it.
    for (const r of revocations) {
      const row = (await sql.query('SELECT status FROM consent WHERE id = $1', [r.id])).rows[0];
      if (r.response.status === 204) expect(row.status).toBe('revoked');
      else if (r.response.status === 202) expect(['revoking', 'revoked']).toContain(row.status);
      else expect(['active', 'revoking', 'revoked']).toContain(row.status);
      const again = await api(app, 'DELETE', `/v1/consents/${r.id}`, { token: admin });
      expect([202, 204]).toContain(again.status);
    }
    for (const id of toRevoke.filter((id) => !revocations.some((r) => r.id === id))) {
      expect((await api(app, 'DELETE', `/v1/consents/${id}`, { token: admin })).status).toBe(204);
    }
    const states = await eventually(
      () => sql.query(`SELECT status FROM consent WHERE id = ANY($1::uuid[])`, [toRevoke]).then((r) => r.rows.map((row) => row.status as string)),
      (s) => s.every((x) => x === 'revoked'),
      15_000,
    );
    expect(states).toHaveLength(toRevoke.length);
  }, 45_000);
});
