import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { request } from 'undici';
import { FEED_LOCK_KEY } from '../../src/consent-feed/consent-feed.repository';
import type { StartedNogiSandbox } from '../../src/providers/nogi/sandbox';
import { freshNationalId } from '../support/national-ids';
import { startTestApp, TEST_CLIENT, TestApp } from '../support/test-app';
import { auditActions, consentByNogiId, count, createFeedTestDatabase, feedService, FeedTestDatabase, insertOurConsent, startFeedSandbox, untilReady } from './feed-test-support';

type FeedBody = { startSequenceNr: number; endSequenceNr: number; generatedAt: string; result: { sequenceNr: number; consentId: string; eventType: string }[] };

/**
 * NoGi in front of the sandbox, able to rewrite feed pages: the sandbox always numbers a consent's
 * created event before its archived one, NoGi promises no such thing.
 */
class FeedRewritingProxy {
  rewrite: ((all: FeedBody, from: number, limit: number) => FeedBody) | undefined;

  private constructor(
    private readonly server: Server,
    private readonly target: string,
  ) {}

  static async start(target: string): Promise<FeedRewritingProxy> {
    let proxy: FeedRewritingProxy | undefined;
    const server = createServer((req, res) => void proxy!.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new FeedRewritingProxy(server, target);
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', this.url);
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'connection', 'content-length', 'transfer-encoding'].includes(k))) as Record<string, string>;
    const rewrite = this.rewrite;
    if (rewrite && url.pathname === '/feed/v1/consent') {
      const from = Number(url.searchParams.get('fromSequenceNr'));
      const limit = Number(url.searchParams.get('limit'));
      const upstream = await request(`${this.target}/feed/v1/consent?fromSequenceNr=0&limit=1000`, { headers });
      const text = await upstream.body.text();
      res.writeHead(upstream.statusCode, { 'content-type': 'application/json' });
      res.end(upstream.statusCode === 200 ? JSON.stringify(rewrite(JSON.parse(text) as FeedBody, from, limit)) : text);
      return;
    }
    const upstream = await request(`${this.target}${req.url}`, { method: req.method as 'GET', headers, body: chunks.length > 0 ? Buffer.concat(chunks) : undefined });
    const out = Object.fromEntries(Object.entries(upstream.headers).filter(([k]) => !['connection', 'content-length', 'transfer-encoding', 'keep-alive'].includes(k)));
    res.writeHead(upstream.statusCode, out as Record<string, string>);
    res.end(Buffer.from(await upstream.body.arrayBuffer()));
  }
}

/** Swaps the sequence numbers of each named consent's two events, then pages as NoGi does. */
function archivedNumberedFirst(consentIds: string[]) {
  return (all: FeedBody, from: number, limit: number): FeedBody => {
    for (const id of consentIds) {
      const [a, b] = all.result.filter((e) => e.consentId === id);
      if (a && b) [a.sequenceNr, b.sequenceNr] = [b.sequenceNr, a.sequenceNr];
    }
    const result = all.result
      .filter((e) => e.sequenceNr >= from)
      .sort((x, y) => x.sequenceNr - y.sequenceNr)
      .slice(0, limit);
    return { ...all, startSequenceNr: from, endSequenceNr: result.length > 0 ? result[result.length - 1].sequenceNr : from - 1, result };
  };
}

/** One event per page, whatever the limit: NoGi may answer with fewer events than asked for. */
const onePerPage = (inner: ReturnType<typeof archivedNumberedFirst>) => (all: FeedBody, from: number) => inner(all, from, 1);

describe('the consent feed across replicas and out-of-order events', () => {
  let db: FeedTestDatabase;
  let nogi: StartedNogiSandbox;
  let proxy: FeedRewritingProxy;
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    db = await createFeedTestDatabase('feed_replicas');
    nogi = await startFeedSandbox();
    proxy = await FeedRewritingProxy.start(nogi.url);
    // The sandbox names its issuer and audiences after the URL it is reached at: here, the proxy.
    nogi.sandbox.baseUrl = proxy.url;
    first = await startTestApp({ nogiUrl: proxy.url, env: { DATABASE_URL: db.url } });
    second = await startTestApp({ nogiUrl: proxy.url, env: { DATABASE_URL: db.url } });
    await Promise.all([untilReady(first), untilReady(second)]);
  });

  afterAll(async () => {
    await first?.close();
    await second?.close();
    await proxy?.close();
    await nogi?.close();
    await db?.drop();
  });

  beforeEach(async () => {
    proxy.rewrite = undefined;
    expect(await feedService(first).syncOnce()).toMatchObject({ outcome: 'synced' });
  });

  const createAtNogi = (externalConsentId?: string) =>
    nogi.sandbox.createConsent({ clientId: TEST_CLIENT.id, nationalId: freshNationalId(), scope: 'debt.unsecured.processing', durationDays: 20, externalConsentId });

  it('ends archived when a consent’s archived event is numbered before its created event, delivered on separate pages', async () => {
    const ref = `ooo-${Date.now()}`;
    const atNogi = createAtNogi(ref);
    nogi.sandbox.advanceClock(5_000);
    nogi.sandbox.archiveConsent(atNogi.id);
    proxy.rewrite = onePerPage(archivedNumberedFirst([atNogi.id]));

    const result = await feedService(first).syncOnce();

    expect(result).toMatchObject({ outcome: 'synced', pages: 2, applied: 2 });
    const row = await consentByNogiId(db.pg, atNogi.id);
    // The created event came last but is older: it only fills in what the archived event could not say.
    expect(row).toMatchObject({ source: 'external', status: 'archived', client_consent_id: ref, purpose: 'processing', scope: 'debt.unsecured.processing' });
    expect(row?.last_event_at?.getTime()).toBeGreaterThan(Date.parse(atNogi.createdAt));
    expect(await auditActions(db.pg, row!.id)).toEqual(['consent.learnt_from_feed']);
  });

  it('orders events within one page by timestamp, so a consent of ours archived before it was numbered created stays archived', async () => {
    const atNogi = createAtNogi();
    const ours = await insertOurConsent(db.pg, atNogi.id);
    nogi.sandbox.advanceClock(5_000);
    nogi.sandbox.archiveConsent(atNogi.id);
    proxy.rewrite = archivedNumberedFirst([atNogi.id]);

    expect(await feedService(first).syncOnce()).toMatchObject({ outcome: 'synced', pages: 1, applied: 2 });

    expect(await consentByNogiId(db.pg, atNogi.id)).toMatchObject({ id: ours, status: 'archived', source: 'flow' });
    expect(await auditActions(db.pg, ours)).toEqual(['consent.archived']);
  });

  it('applies each event once when two replicas poll at the same moment', async () => {
    const created = Array.from({ length: 6 }, (_, i) => createAtNogi(`replica-${Date.now()}-${i}`));
    // One pg Client runs one query at a time (pg 8 warns on overlapping calls, pg 9 refuses them).
    const ours: Awaited<ReturnType<typeof insertOurConsent>>[] = [];
    for (const c of created.slice(0, 3)) ours.push(await insertOurConsent(db.pg, c.id));
    for (const c of created.filter((_, i) => i % 2 === 0)) nogi.sandbox.archiveConsent(c.id);
    const eventsBefore = await count(db.pg, 'SELECT 1 FROM feed_event');

    const results = await Promise.all([feedService(first).syncOnce(), feedService(second).syncOnce(), feedService(first).syncOnce(), feedService(second).syncOnce()]);

    // Calls in one process share the run in flight (the same result object); replicas exclude each other.
    const runs = [...new Set(results)];
    expect(runs.reduce((n, r) => n + (r.outcome === 'synced' ? r.applied : 0), 0)).toBe(9);
    expect(results.some((r) => r.outcome === 'failed')).toBe(false);
    expect(await count(db.pg, 'SELECT 1 FROM feed_event')).toBe(eventsBefore + 9);
    for (const [i, c] of created.entries()) {
      const row = await consentByNogiId(db.pg, c.id);
      expect(row?.status).toBe(i % 2 === 0 ? 'archived' : 'active');
      const expected = i < 3 ? (i % 2 === 0 ? ['consent.archived'] : []) : i % 2 === 0 ? ['consent.learnt_from_feed', 'consent.archived'] : ['consent.learnt_from_feed'];
      expect(await auditActions(db.pg, row!.id)).toEqual(expected);
    }
    expect(ours).toHaveLength(3);
  });

  it('leaves polling to the replica holding the lock, and takes over when that replica dies', async () => {
    const holder = new Client({ connectionString: db.url });
    holder.on('error', () => undefined);
    await holder.connect();
    await holder.query('SELECT pg_advisory_lock($1::bigint)', [FEED_LOCK_KEY]);
    const atNogi = createAtNogi();
    await insertOurConsent(db.pg, atNogi.id);
    nogi.sandbox.archiveConsent(atNogi.id);

    expect(await feedService(first).syncOnce()).toEqual({ outcome: 'locked' });
    expect(await feedService(second).syncOnce()).toEqual({ outcome: 'locked' });
    expect(await consentByNogiId(db.pg, atNogi.id)).toMatchObject({ status: 'active' });

    // The holder's process dies: PostgreSQL ends its session, and its lock with it.
    await db.pg.query('SELECT pg_terminate_backend($1)', [(holder as unknown as { processID: number }).processID]);
    await holder.end().catch(() => undefined);

    expect(await feedService(second).syncOnce()).toMatchObject({ outcome: 'synced', applied: 2 });
    expect(await consentByNogiId(db.pg, atNogi.id)).toMatchObject({ status: 'archived' });
    expect((await request(`${first.url}/health/ready`)).statusCode).toBe(200);
  });
});
