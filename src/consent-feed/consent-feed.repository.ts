import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { AuditService, SYSTEM_ACTOR } from '../audit/audit.service';
import { ConsentEntity, FeedEventEntity } from '../database/entities';
import type { FeedEvent, UnknownFeedEvent } from '../providers/nogi/nogi-feed.client';
import { withAdvisoryLock } from './advisory-lock';
import type { FeedConsent, FeedPlan, PlanInput } from './feed-plan';

/** The one cursor row of NoGi's consent feed. */
export const FEED_CURSOR_NAME = 'nogi-consent-feed';
/** Key of the PostgreSQL advisory lock only the polling replica holds ('nogifeed' in ASCII). */
export const FEED_LOCK_KEY = '7957692768974103908';

export interface FeedCursor {
  lastSequenceNr: bigint;
  /** NoGi's clock at the end of the last run that read the feed to its end. */
  lastSuccessAt: Date | null;
}

export interface ActiveConsentRef {
  id: string;
  providerConsentId: string;
  durationDays: number | null;
  lastUsedAt: Date | null;
}

export interface AppliedPage {
  /** Events whose eventId was new (replays are left out), with what they changed. */
  applied: FeedEvent[];
  /** Events of a type we do not know whose eventId was new: recorded in feed_event, applied to nothing. */
  skipped: UnknownFeedEvent[];
  plan: FeedPlan;
}

const ACTOR = SYSTEM_ACTOR('feed');

/**
 * The feed's storage: its cursor, the applied-event log, and the consent rows it changes. All work of
 * one poll runs on one dedicated connection that holds the advisory lock, so the lock lives exactly
 * as long as that connection: a replica that dies (or loses its connection) frees it for another.
 */
@Injectable()
export class ConsentFeedRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** Runs `work` holding the feed lock; `{ locked: false }` at once when another session holds it. */
  withLock<T>(work: (session: FeedSession) => Promise<T>): Promise<{ locked: true; value: T } | { locked: false }> {
    return withAdvisoryLock(this.dataSource, FEED_LOCK_KEY, (runner) => work(new FeedSession(runner, this.audit)));
  }
}

/** One poll's view of the database, on the connection holding the lock. */
export class FeedSession {
  constructor(
    private readonly runner: QueryRunner,
    private readonly audit: AuditService,
  ) {}

  async cursor(): Promise<FeedCursor | null> {
    const rows = (await this.runner.query('SELECT last_sequence_nr::text AS seq, last_success_at FROM feed_cursor WHERE name = $1', [FEED_CURSOR_NAME])) as {
      seq: string;
      last_success_at: Date | null;
    }[];
    return rows.length === 0 ? null : { lastSequenceNr: BigInt(rows[0].seq), lastSuccessAt: rows[0].last_success_at };
  }

  /**
   * Applies one page and moves the cursor to `cursor`, in one transaction. Events already in
   * `feed_event` (a replayed page) are skipped before anything is decided, so they change nothing.
   * Events of a type we do not know are recorded there too (their envelope, never applied).
   */
  async applyPage(events: FeedEvent[], unknown: UnknownFeedEvent[], cursor: bigint, plan: (input: Omit<PlanInput, 'newId'>) => FeedPlan): Promise<AppliedPage> {
    return this.runner.manager.transaction(async (m) => {
      const fresh = await this.recordEvents(m, [...events, ...unknown]);
      const applied = events.filter((e) => fresh.has(e.eventId));
      const skipped = unknown.filter((e) => fresh.has(e.eventId));
      const known = await this.lockConsents(m, [...new Set(applied.map((e) => e.consentId))]);
      const refs = applied.map((e) => e.created?.externalConsentId).filter((r): r is string => typeof r === 'string');
      const taken = await this.takenClientConsentIds(m, refs);
      const result = plan({ events: applied, known, takenClientConsentIds: taken });
      const consents = m.getRepository(ConsentEntity);
      for (const c of result.inserts) await consents.insert({ ...c, nationalIdHash: null, createdBy: null, lastUsedAt: null });
      for (const c of result.updates) {
        // lastUsedAt is read, never written here: debt reads own it.
        const { id, lastUsedAt: _read, ...values } = c;
        await consents.update({ id }, values);
      }
      for (const a of result.audits) await this.audit.record({ action: a.action, actor: ACTOR, outcome: 'success', dataset: 'debt', consentId: a.consentId, detail: a.detail }, m);
      await this.advance(m, cursor, null);
      return { applied, skipped, plan: result };
    });
  }

  /**
   * Records the end of a run that read the feed to its end (the "last successful sync"), stamped
   * with NoGi's clock (the feed's `generatedAt`): the clock NoGi's 7-day window is measured on.
   */
  async markSuccess(cursor: bigint, nogiTime: Date): Promise<void> {
    await this.advance(this.runner.manager, cursor, nogiTime);
  }

  /** Active NoGi consents in id order after `afterId`, for the re-check after a gap (this is NoGi's feed). */
  async activeConsents(afterId: string | null, limit: number): Promise<ActiveConsentRef[]> {
    const rows = (await this.runner.query(
      `SELECT id, provider_consent_id, duration_days, last_used_at FROM consent WHERE provider = 'nogi' AND status = 'active' AND ($1::uuid IS NULL OR id > $1::uuid) ORDER BY id LIMIT $2`,
      [afterId, limit],
    )) as { id: string; provider_consent_id: string; duration_days: number | null; last_used_at: Date | null }[];
    return rows.map((r) => ({ id: r.id, providerConsentId: r.provider_consent_id, durationDays: r.duration_days, lastUsedAt: r.last_used_at }));
  }

  /** Ends a consent NoGi no longer holds active, if it is still active here; true when changed (and audited). */
  async endActiveConsent(id: string, to: 'expired' | 'archived', detail: Record<string, string | number | boolean | null>): Promise<boolean> {
    return this.runner.manager.transaction(async (m) => {
      const rows = (await m.query(
        `UPDATE consent SET status = $2::varchar, revoked_at = CASE WHEN $2::varchar = 'archived' THEN COALESCE(revoked_at, now()) ELSE revoked_at END, updated_at = now()
         WHERE id = $1 AND status = 'active' RETURNING id`,
        [id, to],
      )) as [unknown[], number];
      if (rows[1] === 0) return false;
      await this.audit.record({ action: to === 'expired' ? 'consent.expired' : 'consent.archived', actor: ACTOR, outcome: 'success', dataset: 'debt', consentId: id, detail: { ...detail, from: 'active', to } }, m);
      return true;
    });
  }

  private async recordEvents(m: EntityManager, events: Array<FeedEvent | UnknownFeedEvent>): Promise<Set<string>> {
    if (events.length === 0) return new Set();
    const result = await m
      .createQueryBuilder()
      .insert()
      .into(FeedEventEntity)
      .values(events.map((e) => ({ eventId: e.eventId, sequenceNr: e.sequenceNr.toString(), providerConsentId: e.consentId, eventType: e.eventType, eventTimestamp: e.timestamp })))
      .orIgnore()
      .returning(['eventId'])
      .execute();
    return new Set((result.raw as { event_id: string }[]).map((r) => r.event_id));
  }

  /** Row locks, so a request revoking the same consent and the feed never overwrite each other. */
  private async lockConsents(m: EntityManager, providerConsentIds: string[]): Promise<Map<string, FeedConsent>> {
    if (providerConsentIds.length === 0) return new Map();
    const rows = await m
      .getRepository(ConsentEntity)
      .createQueryBuilder('c')
      .where("c.provider = 'nogi' AND c.providerConsentId IN (:...ids)", { ids: providerConsentIds })
      .orderBy('c.id')
      .setLock('pessimistic_write')
      .getMany();
    return new Map(
      rows.map((c) => [
        c.providerConsentId,
        {
          id: c.id,
          providerConsentId: c.providerConsentId,
          clientConsentId: c.clientConsentId,
          purpose: c.purpose,
          scope: c.scope,
          durationDays: c.durationDays,
          source: c.source,
          status: c.status,
          expiresAt: c.expiresAt,
          revokedAt: c.revokedAt,
          lastEventAt: c.lastEventAt,
          lastUsedAt: c.lastUsedAt,
        },
      ]),
    );
  }

  private async takenClientConsentIds(m: EntityManager, refs: string[]): Promise<Set<string>> {
    if (refs.length === 0) return new Set();
    const rows = (await m.query('SELECT client_consent_id FROM consent WHERE client_consent_id = ANY($1::text[])', [refs])) as { client_consent_id: string }[];
    return new Set(rows.map((r) => r.client_consent_id));
  }

  /** The cursor only moves forward, whoever writes it. */
  private async advance(m: EntityManager, cursor: bigint, successAt: Date | null): Promise<void> {
    await m.query(
      `INSERT INTO feed_cursor (name, last_sequence_nr, last_success_at, updated_at) VALUES ($1, $2::bigint, $3::timestamptz, now())
       ON CONFLICT (name) DO UPDATE SET last_sequence_nr = GREATEST(feed_cursor.last_sequence_nr, EXCLUDED.last_sequence_nr),
         last_success_at = COALESCE(EXCLUDED.last_success_at, feed_cursor.last_success_at), updated_at = now()`,
      [FEED_CURSOR_NAME, cursor.toString(), successAt],
    );
  }
}
