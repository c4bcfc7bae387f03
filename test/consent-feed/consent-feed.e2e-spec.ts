import { request } from 'undici';
import type { StartedNogiSandbox } from '../../src/providers/nogi/sandbox';
import { freshNationalId } from '../support/national-ids';
import { eventually } from '../support/tcp-proxy';
import { startTestApp, TEST_CLIENT, TestApp } from '../support/test-app';
import {
  auditActions,
  consentByNogiId,
  count,
  createFeedTestDatabase,
  cursorOf,
  feedService,
  FeedTestDatabase,
  insertOurConsent,
  metricValue,
  setCursor,
  startFeedSandbox,
  untilReady,
} from './feed-test-support';

const DAY_MS = 24 * 3_600_000;

describe('following NoGi consent feed', () => {
  let db: FeedTestDatabase;
  let nogi: StartedNogiSandbox;
  let app: TestApp;

  beforeAll(async () => {
    db = await createFeedTestDatabase('feed_sync');
    nogi = await startFeedSandbox();
    app = await startTestApp({ nogiUrl: nogi.url, env: { DATABASE_URL: db.url } });
    await untilReady(app);
  });

  afterAll(async () => {
    await app?.close();
    await nogi?.close();
    await db?.drop();
  });

  beforeEach(async () => {
    nogi.sandbox.clearFaults();
    // Catch up, so each test starts from a cursor at the end of the feed.
    expect(await feedService(app).syncOnce()).toMatchObject({ outcome: 'synced' });
  });

  const createAtNogi = (over: { durationDays?: number; externalConsentId?: string } = {}) =>
    nogi.sandbox.createConsent({ clientId: TEST_CLIENT.id, nationalId: freshNationalId(), scope: 'debt.unsecured.presentation', durationDays: 30, ...over });

  it('shows a consent the customer archived at norskgjeld.no as archived after one poll, with revokedAt and an audit record', async () => {
    const atNogi = createAtNogi();
    const ours = await insertOurConsent(db.pg, atNogi.id);
    nogi.sandbox.archiveConsent(atNogi.id);

    const result = await feedService(app).syncOnce();

    expect(result).toMatchObject({ outcome: 'synced', gap: false });
    const row = await consentByNogiId(db.pg, atNogi.id);
    expect(row).toMatchObject({ id: ours, status: 'archived', source: 'flow' });
    expect(row?.revoked_at).toBeInstanceOf(Date);
    expect(row?.last_event_at).toBeInstanceOf(Date);
    expect(await auditActions(db.pg, ours)).toEqual(['consent.archived']);
    const { rows } = await db.pg.query('SELECT actor_subject, outcome, detail FROM audit_event WHERE consent_id = $1', [ours]);
    expect(rows[0]).toMatchObject({ actor_subject: 'system:feed', outcome: 'success', detail: { from: 'active', to: 'archived', eventType: 'SAMTYKKE_ARKIVERT' } });
    expect(await cursorOf(db.pg)).toBe(String(nogi.sandbox.lastSequenceNrFor(TEST_CLIENT.id)));
    expect(await metricValue(app, 'nogi_feed_events_applied_total', { type: 'SAMTYKKE_ARKIVERT' })).toBeGreaterThanOrEqual(1);
    expect(await metricValue(app, 'nogi_feed_lag')).toBe(0);
    expect(await metricValue(app, 'nogi_feed_last_success_timestamp_seconds')).toBeGreaterThan(Date.now() / 1000 - 60);
  });

  it('records revoked, not archived, when the bank was revoking the consent itself', async () => {
    const atNogi = createAtNogi();
    const ours = await insertOurConsent(db.pg, atNogi.id, { status: 'revoking' });
    nogi.sandbox.archiveConsent(atNogi.id);

    await feedService(app).syncOnce();

    expect(await consentByNogiId(db.pg, atNogi.id)).toMatchObject({ status: 'revoked' });
    expect(await auditActions(db.pg, ours)).toEqual(['consent.revoked']);
  });

  it('records expired when the archive comes from the consent running out', async () => {
    const atNogi = createAtNogi();
    const ours = await insertOurConsent(db.pg, atNogi.id, { expiresAt: new Date(Date.now() - 1000) });
    nogi.sandbox.expireConsent(atNogi.id);

    await feedService(app).syncOnce();

    expect(await consentByNogiId(db.pg, atNogi.id)).toMatchObject({ status: 'expired', revoked_at: null });
    expect(await auditActions(db.pg, ours)).toEqual(['consent.expired']);
  });

  it('records a consent created outside our flows as external, with its externalConsentId and no customer', async () => {
    const ref = `bank-ref-${Date.now()}`;
    const atNogi = createAtNogi({ externalConsentId: ref });

    await feedService(app).syncOnce();

    const row = await consentByNogiId(db.pg, atNogi.id);
    expect(row).toMatchObject({ source: 'external', status: 'active', client_consent_id: ref, purpose: 'presentation', scope: 'debt.unsecured.presentation', national_id_hash: null });
    expect(await auditActions(db.pg, row!.id)).toEqual(['consent.learnt_from_feed']);
  });

  it('changes nothing when the same pages are read again', async () => {
    const before = await cursorOf(db.pg);
    const archivedLater = createAtNogi();
    await insertOurConsent(db.pg, archivedLater.id);
    createAtNogi({ externalConsentId: `replay-${Date.now()}` });
    nogi.sandbox.archiveConsent(archivedLater.id);
    const first = await feedService(app).syncOnce();
    expect(first).toMatchObject({ outcome: 'synced', applied: 3 });
    const snapshot = async () => ({
      events: await count(db.pg, 'SELECT 1 FROM feed_event'),
      audits: await count(db.pg, 'SELECT 1 FROM audit_event'),
      consents: (await db.pg.query('SELECT id, status, source, client_consent_id, revoked_at, last_event_at, updated_at FROM consent ORDER BY id')).rows,
    });
    const after = await snapshot();

    // As if the run had crashed after applying but before the cursor moved.
    await setCursor(db.pg, BigInt(before!));
    const replay = await feedService(app).syncOnce();

    expect(replay).toMatchObject({ outcome: 'synced', applied: 0 });
    expect(replay.outcome === 'synced' && replay.pages).toBeGreaterThanOrEqual(1);
    expect(await snapshot()).toEqual(after);
  });

  it('counts a failing or silent feed as an error, keeps the cursor and stays healthy', async () => {
    const atNogi = createAtNogi();
    const ours = await insertOurConsent(db.pg, atNogi.id);
    nogi.sandbox.archiveConsent(atNogi.id);
    const cursor = await cursorOf(db.pg);

    nogi.sandbox.injectFault({ endpoint: 'feed', kind: 'status', status: 503 });
    expect(await feedService(app).syncOnce()).toEqual({ outcome: 'failed', reason: 'nogi_unavailable' });
    nogi.sandbox.clearFaults();
    nogi.sandbox.injectFault({ endpoint: 'feed', kind: 'timeout' });
    expect(await feedService(app).syncOnce()).toEqual({ outcome: 'failed', reason: 'nogi_timeout' });
    nogi.sandbox.clearFaults();

    expect(await cursorOf(db.pg)).toBe(cursor);
    expect(await consentByNogiId(db.pg, atNogi.id)).toMatchObject({ status: 'active' });
    expect(await metricValue(app, 'nogi_feed_errors_total', { reason: 'nogi_unavailable' })).toBeGreaterThanOrEqual(1);
    expect(await metricValue(app, 'nogi_feed_errors_total', { reason: 'nogi_timeout' })).toBeGreaterThanOrEqual(1);
    expect((await request(`${app.url}/health/ready`)).statusCode).toBe(200);
    expect(app.logs.some((l) => l.includes(atNogi.id) || l.includes(ours))).toBe(false);

    expect(await feedService(app).syncOnce()).toMatchObject({ outcome: 'synced' });
    expect(await consentByNogiId(db.pg, atNogi.id)).toMatchObject({ status: 'archived' });
  });

  it('re-checks every active consent at NoGi when a week passed at NoGi since the last sync and the events left the window', async () => {
    const archived = createAtNogi();
    const expired = createAtNogi();
    const stillActive = createAtNogi();
    const ids = {
      archived: await insertOurConsent(db.pg, archived.id),
      expired: await insertOurConsent(db.pg, expired.id),
      stillActive: await insertOurConsent(db.pg, stillActive.id),
    };
    await feedService(app).syncOnce();
    // An outage: the consents end at NoGi, a week passes, their events leave the feed.
    nogi.sandbox.archiveConsent(archived.id);
    nogi.sandbox.expireConsent(expired.id);
    nogi.sandbox.advanceClock(8 * DAY_MS);
    nogi.sandbox.pruneFeed();
    nogi.sandbox.clearCalls();
    const gapsBefore = await metricValue(app, 'nogi_feed_gaps_total');

    const result = await feedService(app).syncOnce();

    expect(result).toMatchObject({ outcome: 'synced', gap: true, recheckedEnded: 2 });
    const statusCalls = nogi.sandbox.getCalls('status').map((c) => c.path);
    for (const c of [archived, expired, stillActive]) expect(statusCalls).toContain(`/v1/debt/${c.id}/status`);
    expect(await consentByNogiId(db.pg, archived.id)).toMatchObject({ status: 'archived' });
    expect(await consentByNogiId(db.pg, expired.id)).toMatchObject({ status: 'expired' });
    expect(await consentByNogiId(db.pg, stillActive.id)).toMatchObject({ status: 'active' });
    expect(await auditActions(db.pg, ids.archived)).toEqual(['consent.archived']);
    expect(await auditActions(db.pg, ids.expired)).toEqual(['consent.expired']);
    expect(await auditActions(db.pg, ids.stillActive)).toEqual([]);
    expect(await metricValue(app, 'nogi_feed_gaps_total')).toBe(gapsBefore + 1);
    // The gap is reported without ids.
    const gapLog = app.logs.find((l) => l.includes('Consent feed gap'));
    expect(gapLog).toBeDefined();
    expect(gapLog).not.toContain(archived.id);
    // Continued from NoGi's first kept sequence number; the next run finds no gap.
    expect(await cursorOf(db.pg)).toBe(String(nogi.sandbox.lastSequenceNrFor(TEST_CLIENT.id)));
    expect(await feedService(app).syncOnce()).toMatchObject({ outcome: 'synced', gap: false });
  });

  it('re-checks every active consent when the last successful sync is older than 6 days', async () => {
    const atNogi = createAtNogi();
    await insertOurConsent(db.pg, atNogi.id);
    await feedService(app).syncOnce();
    await db.pg.query(`UPDATE feed_cursor SET last_success_at = now() - interval '7 days'`);
    nogi.sandbox.clearCalls();

    const result = await feedService(app).syncOnce();

    expect(result).toMatchObject({ outcome: 'synced', gap: true });
    expect(nogi.sandbox.getCalls('status').map((c) => c.path)).toContain(`/v1/debt/${atNogi.id}/status`);
    expect(await consentByNogiId(db.pg, atNogi.id)).toMatchObject({ status: 'active' });
    expect(await feedService(app).syncOnce()).toMatchObject({ gap: false });
  });

  it('records, counts and skips an event of a type it does not know, and still applies the events after it', async () => {
    const atNogi = createAtNogi();
    const ours = await insertOurConsent(db.pg, atNogi.id);
    await feedService(app).syncOnce();
    const before = await cursorOf(db.pg);
    nogi.sandbox.emitEventOfType(atNogi.id, 'SAMTYKKE_ENDRET');
    nogi.sandbox.archiveConsent(atNogi.id);

    expect(await feedService(app).syncOnce()).toMatchObject({ outcome: 'synced', applied: 1 });

    expect(await consentByNogiId(db.pg, atNogi.id)).toMatchObject({ status: 'archived' });
    expect(await auditActions(db.pg, ours)).toEqual(['consent.archived']);
    const { rows } = await db.pg.query('SELECT event_type, sequence_nr::text AS seq FROM feed_event WHERE provider_consent_id = $1 ORDER BY sequence_nr', [atNogi.id]);
    expect(rows.map((r) => r.event_type)).toEqual(['SAMTYKKE_OPPRETTET', 'SAMTYKKE_ENDRET', 'SAMTYKKE_ARKIVERT']);
    expect(await cursorOf(db.pg)).toBe(String(nogi.sandbox.lastSequenceNrFor(TEST_CLIENT.id)));
    expect(await metricValue(app, 'nogi_feed_events_skipped_total', { type: 'SAMTYKKE_ENDRET' })).toBe(1);
    const skipped = app.logs.filter((l) => l.includes('Consent feed event of an unknown type'));
    expect(skipped).toHaveLength(1);
    expect(JSON.parse(skipped[0])).toMatchObject({ eventType: 'SAMTYKKE_ENDRET', sequenceNr: rows[1].seq });
    expect(skipped[0]).not.toContain(atNogi.id);

    // Read again: recorded once, counted once.
    await setCursor(db.pg, BigInt(before!));
    expect(await feedService(app).syncOnce()).toMatchObject({ outcome: 'synced', applied: 0 });
    expect(await metricValue(app, 'nogi_feed_events_skipped_total', { type: 'SAMTYKKE_ENDRET' })).toBe(1);
  });

  it.each([
    ['refuses', 'reject'],
    ['answers an empty page for', 'empty'],
  ] as const)('starts again from NoGi’s first sequence number when the cursor fell behind it (NoGi %s a number it no longer keeps)', async (_how, mode) => {
    // An event we never read leaves NoGi's window; newer ones stay.
    const lost = createAtNogi();
    nogi.sandbox.advanceClock(1);
    nogi.sandbox.pruneFeed(0);
    const atNogi = createAtNogi();
    const ours = await insertOurConsent(db.pg, atNogi.id);
    nogi.sandbox.archiveConsent(atNogi.id);
    const cursor = BigInt((await cursorOf(db.pg))!);
    expect(BigInt(nogi.sandbox.firstSequenceNrFor(TEST_CLIENT.id))).toBeGreaterThan(cursor + 1n);
    nogi.sandbox.feedBeforeFirst = mode;
    nogi.sandbox.clearCalls();
    try {
      expect(await feedService(app).syncOnce()).toMatchObject({ outcome: 'synced', gap: false, applied: 2 });
    } finally {
      nogi.sandbox.feedBeforeFirst = undefined;
    }

    expect(await consentByNogiId(db.pg, atNogi.id)).toMatchObject({ status: 'archived' });
    expect(await auditActions(db.pg, ours)).toEqual(['consent.archived']);
    expect(await consentByNogiId(db.pg, lost.id)).toBeUndefined();
    expect(await cursorOf(db.pg)).toBe(String(nogi.sandbox.lastSequenceNrFor(TEST_CLIENT.id)));
    // Never asked NoGi for a number it no longer keeps.
    const pages = nogi.sandbox.getCalls('feed').filter((c) => c.path.endsWith('/feed/v1/consent'));
    expect(pages.length).toBeGreaterThanOrEqual(1);
    expect(pages.map((c) => c.status).filter((status) => status !== 200)).toEqual([]);
  });

  it('records a used one-time consent NoGi no longer holds active as expired, not archived, after a gap', async () => {
    // NoGi's default consent (one collection within 10 minutes), learnt from the feed and used once by us.
    const atNogi = createAtNogi({ durationDays: undefined });
    await feedService(app).syncOnce();
    const learnt = (await consentByNogiId(db.pg, atNogi.id))!;
    expect(learnt).toMatchObject({ source: 'external', status: 'active' });
    const reader = await app.issuer.service(['debt:read']);
    expect((await request(`${app.url}/v1/consents/${learnt.id}/debt`, { headers: { authorization: `Bearer ${reader}` } })).statusCode).toBe(200);
    expect(nogi.sandbox.consent(atNogi.id)).toMatchObject({ used: true });
    await db.pg.query(`UPDATE feed_cursor SET last_success_at = now() - interval '7 days'`);

    // NoGi's /status: inactive, its 10 minutes not yet over.
    expect(await feedService(app).syncOnce()).toMatchObject({ outcome: 'synced', gap: true });

    expect(await consentByNogiId(db.pg, atNogi.id)).toMatchObject({ status: 'expired', revoked_at: null });
    expect(await auditActions(db.pg, learnt.id)).toEqual(['consent.learnt_from_feed', 'consent.debt_read', 'consent.expired']);
  });

  it('polls on its own at FEED_POLL_INTERVAL_SECONDS and stops polling when the application shuts down', async () => {
    const poller = await startTestApp({ nogiUrl: nogi.url, env: { DATABASE_URL: db.url, FEED_POLL_INTERVAL_SECONDS: '1' } });
    try {
      const atNogi = createAtNogi();
      await insertOurConsent(db.pg, atNogi.id);
      nogi.sandbox.archiveConsent(atNogi.id);
      await eventually(() => consentByNogiId(db.pg, atNogi.id), (row) => row?.status === 'archived', 10_000);
    } finally {
      await poller.close();
    }
    nogi.sandbox.clearCalls();
    await new Promise((r) => setTimeout(r, 1500));
    expect(nogi.sandbox.getCalls('feed')).toEqual([]);
  });
});
