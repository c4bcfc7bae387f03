import { randomUUID } from 'node:crypto';
import { AltinnEventsService } from '../../../src/providers/altinn/events/altinn-events.service';
import { freshNationalId, PERSON_WITH_DEBT } from '../../support/national-ids';
import { eventually } from '../../support/tcp-proxy';
import type { TestApp } from '../../support/test-app';
import { TestIssuer } from '../../support/test-issuer';
import { api, isolatedDatabase } from '../../consents/consents.helpers';
import { type AltinnWorld, consentAtAltinn, returned, startAltinnApp, startAltinnFlow, startAltinnWorld } from './altinn-app.helpers';

/** Two replicas on one database and one Redis: one events poller, one Maskinporten grant per token lifetime. */
describe('Altinn across replicas', () => {
  let world: AltinnWorld;
  let database: { url: string; drop(): Promise<void> };
  let first: TestApp;
  let second: TestApp;
  let token: string;
  let issuer: TestIssuer;

  beforeAll(async () => {
    world = await startAltinnWorld();
    database = await isolatedDatabase();
    const redisKeyPrefix = `test:${randomUUID()}:`;
    const env = { DATABASE_URL: database.url, ALTINN_EVENTS_POLL_INTERVAL_SECONDS: '1' };
    issuer = await TestIssuer.start();
    first = await startAltinnApp(world, env, { redisKeyPrefix, issuer });
    second = await startAltinnApp(world, env, { redisKeyPrefix, issuer });
    token = await first.issuer.service(['consent:write', 'consent:read', 'income:read', 'consent:admin']);
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    await world?.sims.close();
    await database?.drop();
    await issuer?.close();
  });

  const status = async (id: string) => (await api(first, 'GET', `/v1/consents/${id}`, { token: await second.issuer.service(['consent:read']) })).json.status;

  it('fetches one Maskinporten token per scope for both replicas', async () => {
    const before = world.sims.maskinporten.getCalls('token').filter((c) => c.assertion?.scope === 'altinn:consentrequests.write').length;
    const flows = await Promise.all([first, second, first, second].map((app) => startAltinnFlow(app, token, freshNationalId())));
    expect(new Set(flows.map((f) => f.requestId)).size).toBe(4);
    const grants = world.sims.maskinporten.getCalls('token').filter((c) => c.assertion?.scope === 'altinn:consentrequests.write').length - before;
    expect(grants).toBe(1);
  });

  it('archives a consent the customer withdrew in Altinn within one poll', async () => {
    const flow = await startAltinnFlow(first, token, PERSON_WITH_DEBT);
    expect(returned((await consentAtAltinn(first, flow)).callback).flowStatus).toBe('completed');
    expect(await status(flow.requestId)).toBe('active');
    world.sims.altinn3.act(flow.requestId, 'revoke');
    const archivedAt = await eventually(() => status(flow.requestId), (s) => s === 'archived', 2500);
    expect(archivedAt).toBe('archived');
  });

  it('applies each event once when both replicas sync at the same moment; a consent the bank revoked stays revoked', async () => {
    const kept = await startAltinnFlow(first, token, freshNationalId());
    const revokedByBank = await startAltinnFlow(first, token, freshNationalId());
    await consentAtAltinn(first, kept);
    await consentAtAltinn(first, revokedByBank);
    expect((await api(first, 'DELETE', `/v1/consents/${revokedByBank.requestId}`, { token })).status).toBe(204);
    world.sims.altinn3.markUsed(kept.requestId);
    world.sims.altinn3.act(kept.requestId, 'delete');
    world.sims.altinn3.act(revokedByBank.requestId, 'revoke');

    const services = [first, second, first, second].map((app) => app.app.get(AltinnEventsService));
    const results = await Promise.all(services.map((s) => s.syncOnce()));
    expect(results.some((r) => r.outcome === 'failed')).toBe(false);
    await eventually(() => status(kept.requestId), (s) => s === 'archived', 2500);
    const consent = await api(first, 'GET', `/v1/consents/${kept.requestId}`, { token });
    expect(consent.json).toMatchObject({ status: 'archived' });
    expect(Date.parse(consent.json.lastUsedAt)).toBeGreaterThan(0);
    expect(await status(revokedByBank.requestId)).toBe('revoked');
    // Several runs read the same page (Altinn gives no next link before a full page): one change, one audit row.
    const audit = await auditRows(kept.requestId);
    expect(audit.filter((a) => a.action === 'consent.archived')).toEqual([{ action: 'consent.archived', dataset: 'income' }]);
  });

  async function auditRows(consentId: string): Promise<Array<{ action: string; dataset: string }>> {
    const { DataSource } = await import('typeorm');
    const dataSource = first.app.get(DataSource);
    return dataSource.query('SELECT action, dataset FROM audit_event WHERE consent_id = $1 ORDER BY occurred_at', [consentId]);
  }
});
