import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { request } from 'undici';
import { ConsentFeedService } from '../../src/consent-feed/consent-feed.service';
import { FEED_CURSOR_NAME } from '../../src/consent-feed/consent-feed.repository';
import { startNogiSandbox, StartedNogiSandbox } from '../../src/providers/nogi/sandbox';
import { createMigratedDatabase, suiteDatabaseName } from '../support/test-database';
import { TEST_CLIENT, TestApp } from '../support/test-app';
import { eventually } from '../support/tcp-proxy';

/**
 * The feed's cursor is one global row and a gap re-checks every active consent, so each feed test
 * file gets a database of its own (same server, migrated like the shared one): other suites' consents
 * and this suite's cursor never meet.
 */
export interface FeedTestDatabase {
  url: string;
  pg: Client;
  drop(): Promise<void>;
}

export async function createFeedTestDatabase(label: string): Promise<FeedTestDatabase> {
  const { url, drop } = await createMigratedDatabase(suiteDatabaseName(label));
  const pg = new Client({ connectionString: url });
  await pg.connect();
  return {
    url,
    pg,
    drop: async () => {
      await pg.end().catch(() => undefined);
      await drop();
    },
  };
}

export function startFeedSandbox(): Promise<StartedNogiSandbox> {
  return startNogiSandbox({ clients: [{ clientId: TEST_CLIENT.id, clientSecret: TEST_CLIENT.secret, redirectUris: ['http://127.0.0.1:3000/v1/consent-flows/callback'] }] });
}

/** Redis fails fast until connected (no offline queue); the feed's token cache needs it. */
export async function untilReady(app: TestApp): Promise<void> {
  await eventually(async () => (await request(`${app.url}/health/ready`)).statusCode, (s) => s === 200);
}

export const feedService = (app: TestApp): ConsentFeedService => app.app.get(ConsentFeedService);

export interface ConsentRow {
  id: string;
  provider_consent_id: string;
  client_consent_id: string | null;
  purpose: string;
  scope: string;
  source: string;
  status: string;
  national_id_hash: string | null;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_event_at: Date | null;
  updated_at: Date;
}

export async function consentByNogiId(pg: Client, providerConsentId: string): Promise<ConsentRow | undefined> {
  const { rows } = await pg.query<ConsentRow>('SELECT * FROM consent WHERE provider_consent_id = $1', [providerConsentId]);
  return rows[0];
}

/** A consent as our own flow or agreement code would have recorded it. */
export async function insertOurConsent(pg: Client, providerConsentId: string, over: { status?: string; expiresAt?: Date } = {}): Promise<string> {
  const id = randomUUID();
  await pg.query(
    `INSERT INTO consent (id, provider_consent_id, purpose, scope, duration_days, source, status, created_by, expires_at)
     VALUES ($1, $2, 'presentation', 'debt.unsecured.presentation', 30, 'flow', $3, 'feed-test', $4)`,
    [id, providerConsentId, over.status ?? 'active', over.expiresAt ?? new Date(Date.now() + 30 * 86_400_000)],
  );
  return id;
}

export async function auditActions(pg: Client, consentId: string): Promise<string[]> {
  const { rows } = await pg.query<{ action: string }>('SELECT action FROM audit_event WHERE consent_id = $1 ORDER BY id', [consentId]);
  return rows.map((r) => r.action);
}

export async function cursorOf(pg: Client): Promise<string | null> {
  const { rows } = await pg.query<{ seq: string }>('SELECT last_sequence_nr::text AS seq FROM feed_cursor WHERE name = $1', [FEED_CURSOR_NAME]);
  return rows[0]?.seq ?? null;
}

export async function setCursor(pg: Client, seq: bigint | number, lastSuccessAt: Date | null = new Date()): Promise<void> {
  await pg.query(
    `INSERT INTO feed_cursor (name, last_sequence_nr, last_success_at, updated_at) VALUES ($1, $2, $3, now())
     ON CONFLICT (name) DO UPDATE SET last_sequence_nr = EXCLUDED.last_sequence_nr, last_success_at = EXCLUDED.last_success_at`,
    [FEED_CURSOR_NAME, String(seq), lastSuccessAt],
  );
}

export async function count(pg: Client, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await pg.query<{ n: string }>(`SELECT count(*)::text AS n FROM (${sql}) q`, params);
  return Number(rows[0].n);
}

/** One sample of a Prometheus metric, 0 when absent. */
export async function metricValue(app: TestApp, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await request(`${app.url}/metrics`)).body.text();
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-z_]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = (m[2] ?? '').split(',').filter(Boolean);
    if (wanted.every((w) => have.includes(w))) return Number(m[3]);
  }
  return 0;
}
