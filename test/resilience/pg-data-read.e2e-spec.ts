import { randomUUID } from 'node:crypto';
import { ConsentRepository } from '../../src/consents/consent.repository';
import { type StartedNogiSandbox } from '../../src/providers/nogi/sandbox';
import { api, isolatedDatabase, startReadyApp, startSandbox } from '../consents/consents.helpers';
import { freshNationalId } from '../support/national-ids';
import { eventually, TcpProxy } from '../support/tcp-proxy';
import { type TestApp } from '../support/test-app';

/**
 * A data read by consent looks the consent up and records its use on pg's pool directly (not
 * through TypeORM's query runner): PostgreSQL out of reach must still answer 503
 * DEPENDENCY_UNAVAILABLE, never 404 or 500, and the same process serves again once it is back.
 * A transaction's manager, where one is passed, still sees the transaction's own rows.
 */
describe('Resilience: PostgreSQL away during a data read by consent', () => {
  let db: { url: string; drop(): Promise<void> };
  let proxy: TcpProxy;
  let nogi: StartedNogiSandbox;
  let app: TestApp;
  let token: string;

  beforeAll(async () => {
    db = await isolatedDatabase();
    const url = new URL(db.url);
    proxy = await TcpProxy.start(url.hostname, Number(url.port || 5432));
    url.port = String(proxy.port);
    nogi = await startSandbox();
    app = await startReadyApp({ nogiUrl: nogi.url, env: { DATABASE_URL: url.toString() } });
    token = await app.issuer.service(['consent:write', 'consent:read', 'debt:read']);
  });
  afterAll(async () => {
    await app.close();
    await proxy.close();
    await nogi.close();
    await db.drop();
  });

  it('answers 503 DEPENDENCY_UNAVAILABLE for a known and an unknown consent while PostgreSQL is cut, then serves again', async () => {
    const created = await api(app, 'POST', '/v1/consents', { token, body: { nationalId: freshNationalId(), purpose: 'processing', durationDays: 14, clientConsentId: randomUUID() } });
    expect(created.status).toBe(201);

    proxy.cut();
    try {
      for (const id of [created.json.id, randomUUID()]) {
        const read = await api(app, 'GET', `/v1/consents/${id}/debt`, { token });
        expect([read.status, read.json.code]).toEqual([503, 'DEPENDENCY_UNAVAILABLE']);
        expect(read.headers['retry-after']).toBe('2');
      }
    } finally {
      proxy.restore();
    }
    const again = await eventually(
      () => api(app, 'GET', `/v1/consents/${randomUUID()}/debt`, { token }),
      (r) => r.status !== 503,
    );
    expect([again.status, again.json.code]).toEqual([404, 'CONSENT_NOT_FOUND']);
  });

  it("finds a row inserted in a transaction through that transaction's manager only", async () => {
    const repo = app.app.get(ConsentRepository);
    const seen = await repo.transaction(async (manager) => {
      const row = await repo.insert(
        { providerConsentId: randomUUID(), clientConsentId: null, purpose: 'processing', scope: 'debt.unsecured.processing', durationDays: 30, source: 'agreement', status: 'active', nationalIdHash: 'e'.repeat(64), createdBy: 'test', expiresAt: null },
        manager,
      );
      return { id: row.id, inside: await repo.findById(row.id, manager), outside: await repo.findById(row.id) };
    });
    expect(seen.inside?.id).toBe(seen.id);
    expect(seen.outside).toBeNull();
    expect((await repo.findById(seen.id))?.id).toBe(seen.id);
  });
});
