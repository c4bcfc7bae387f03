import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { AppError } from '../common/problem';
import { MetricsService } from '../metrics/metrics.service';
import { StateStoreUnavailableError } from '../redis/state-store';
import { NogiConsentStatus, NogiDebtClient, NogiInvalidConsentError } from '../providers/nogi/nogi-debt.client';
import { FeedEvent, NogiFeedClient, UnknownFeedEvent } from '../providers/nogi/nogi-feed.client';
import { ActiveConsentRef, ConsentFeedRepository, FeedSession } from './consent-feed.repository';
import { isUsedOneTime, planFeedPage } from './feed-plan';

export type FeedSyncResult =
  /** Another replica holds the feed lock; it polls. */
  | { outcome: 'locked' }
  | { outcome: 'synced'; pages: number; applied: number; cursor: string; gap: boolean; recheckedEnded: number }
  /** Nothing after the last committed page moved; the next run starts there again. */
  | { outcome: 'failed'; reason: string };

/** NoGi keeps 7 days; the contract re-checks once the last successful sync is older than 6. */
export const STALE_SYNC_MS = 6 * 24 * 3_600_000;
export const PAGE_SIZE = 500;
/** Bounds one run; the rest is read by the next one. */
const MAX_PAGES_PER_RUN = 200;
const RECHECK_BATCH = 100;
const RECHECK_CONCURRENCY = 4;

/**
 * The contract's gap rule: sequence numbers have gaps by design, so a hole in them proves nothing;
 * events may have been missed only when the last successful sync is older than 6 days (NoGi keeps
 * 7). Both instants are NoGi's clock (the feed's `generatedAt`), the clock of NoGi's window.
 */
export function isGap(lastSuccessAt: Date | null, nogiNow: Date): boolean {
  return lastSuccessAt !== null && nogiNow.getTime() - lastSuccessAt.getTime() > STALE_SYNC_MS;
}

/**
 * What a consent active here becomes after NoGi's status answer; null while NoGi holds it active.
 * Expired once its time passed or when it was a used one-time consent (contract), else archived.
 */
export function statusAfterRecheck(status: NogiConsentStatus, consent: Pick<ActiveConsentRef, 'durationDays' | 'lastUsedAt'>, now: number): 'expired' | 'archived' | null {
  if (status.active) return null;
  if (isUsedOneTime(consent)) return 'expired';
  // epoch 0: NoGi does not know the consent (any more); it has ended without a known expiry.
  const expiresAt = status.expiresAt.getTime();
  return expiresAt > 0 && expiresAt <= now ? 'expired' : 'archived';
}

/**
 * Follows NoGi's consent event feed so our consent records stay true: one run reads the pages after
 * the cursor and applies each with its cursor move in one transaction, holding the feed lock.
 */
@Injectable()
export class ConsentFeedService {
  private readonly logger = new Logger(ConsentFeedService.name);
  private inflight: Promise<FeedSyncResult> | undefined;
  private stopping = false;

  private readonly lag;
  private readonly eventsApplied;
  private readonly eventsSkipped;
  private readonly errors;
  private readonly gaps;
  private readonly lastSuccess;
  private readonly rechecked;

  constructor(
    private readonly feed: NogiFeedClient,
    private readonly debt: NogiDebtClient,
    private readonly repository: ConsentFeedRepository,
    metrics: MetricsService,
  ) {
    this.lag = metrics.gauge('nogi_feed_lag', "NoGi's last feed sequence number minus our cursor");
    this.eventsApplied = metrics.counter('nogi_feed_events_applied_total', 'Consent feed events applied (replays not counted), by event type', ['type']);
    this.eventsSkipped = metrics.counter('nogi_feed_events_skipped_total', 'Consent feed events of a type we do not know: recorded and skipped (replays not counted), by event type', ['type']);
    this.errors = metrics.counter('nogi_feed_errors_total', 'Consent feed runs that failed, by reason', ['reason']);
    this.gaps = metrics.counter('nogi_feed_gaps_total', 'Consent feed gaps (last successful sync older than 6 days) that triggered a status re-check of every active consent');
    this.lastSuccess = metrics.gauge('nogi_feed_last_success_timestamp_seconds', 'When a consent feed run last read the feed to its end');
    this.rechecked = metrics.counter('nogi_feed_rechecked_consents_total', 'Active consents re-checked at NoGi after a feed gap, by result', ['result']);
  }

  /**
   * One run. Concurrent calls in this process share the run in flight; across replicas the
   * advisory lock lets one poll and the others answer `locked`. Never throws: a failure is counted,
   * logged and returned, and the cursor stays after the last page committed.
   */
  syncOnce(): Promise<FeedSyncResult> {
    this.inflight ??= this.run().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  /** Ends the run in flight at its next step (application shutdown). */
  stop(): Promise<FeedSyncResult | undefined> {
    this.stopping = true;
    return this.inflight ?? Promise.resolve(undefined);
  }

  private async run(): Promise<FeedSyncResult> {
    try {
      const result = await this.repository.withLock((session) => this.sync(session));
      return result.locked ? result.value : { outcome: 'locked' };
    } catch (error) {
      if (error instanceof FeedStopped) return { outcome: 'failed', reason: 'stopped' };
      const reason = error instanceof AppError ? error.code.toLowerCase() : error instanceof StateStoreUnavailableError ? 'state_store_unavailable' : 'internal';
      this.errors.inc({ reason });
      // Codes and messages only: NoGi's bodies never reach an AppError, and the feed logs no ids.
      // AppError details name the operation or field, never a value from NoGi's body.
      if (error instanceof AppError) this.logger.warn({ reason, detail: error.detail }, 'Consent feed run failed; it resumes from the last applied page');
      else this.logger.error({ reason, error: error instanceof Error ? error.message : String(error) }, 'Consent feed run failed; it resumes from the last applied page');
      return { outcome: 'failed', reason };
    }
  }

  private async sync(session: FeedSession): Promise<FeedSyncResult> {
    const stored = await session.cursor();
    const first = await this.feed.firstSequenceNr();
    const last = await this.feed.lastSequenceNr();
    // The first run reads everything NoGi still keeps; a cursor behind NoGi's first kept number (a
    // gap, or only other clients' numbers in between) starts again from it, whatever NoGi would
    // answer for a number it no longer has (undocumented: it may refuse, or answer an empty page).
    let cursor = maxOf(stored?.lastSequenceNr ?? 0n, first - 1n);
    this.lag.set(lagOf(last, cursor));

    let page = await this.feed.page(cursor + 1n, PAGE_SIZE);
    const gap = stored !== null && isGap(stored.lastSuccessAt, page.generatedAt);
    let recheckedEnded = 0;
    if (gap) {
      this.gaps.inc();
      this.logger.warn('Consent feed gap: the last successful sync is older than 6 days; re-checking every active consent at NoGi');
      // Before the cursor moves: if this fails, the next run sees the same gap and re-checks again.
      recheckedEnded = await this.recheckActiveConsents(session);
    }

    let pages = 0;
    let applied = 0;
    for (;;) {
      if (this.stopping) throw new FeedStopped();
      if (page.events.length === 0 && page.unknown.length === 0) {
        // Nothing at or after the cursor: every number up to `last` is seen or gone (out of the window).
        cursor = maxOf(cursor, last);
        break;
      }
      const highest = [...page.events, ...page.unknown].reduce((max, e) => maxOf(max, e.sequenceNr), cursor);
      const result = await session.applyPage(page.events, page.unknown, highest, (input) => planFeedPage({ ...input, newId: randomUUID }));
      cursor = highest;
      pages++;
      applied += result.applied.length;
      this.countApplied(result.applied);
      this.reportSkipped(result.skipped);
      // Caught up with what NoGi had when the run began (newer events are the next run's), or bounded.
      if (cursor >= last || pages >= MAX_PAGES_PER_RUN) break;
      page = await this.feed.page(cursor + 1n, PAGE_SIZE);
    }

    this.lag.set(lagOf(last, cursor));
    // A run cut short by the page bound is no "successful sync": the gap rule must still see it.
    const caughtUp = page.events.length === 0 || cursor >= last;
    if (caughtUp) {
      await session.markSuccess(cursor, page.generatedAt);
      this.lastSuccess.set(Date.now() / 1000);
    }
    if (applied > 0 || gap) this.logger.log({ pages, applied, gap, recheckedEnded }, 'Consent feed synchronised');
    return { outcome: 'synced', pages, applied, cursor: cursor.toString(), gap, recheckedEnded };
  }

  /** Asks NoGi about every consent active here and ends those NoGi no longer holds active. */
  private async recheckActiveConsents(session: FeedSession): Promise<number> {
    let ended = 0;
    let after: string | null = null;
    for (;;) {
      const batch = await session.activeConsents(after, RECHECK_BATCH);
      if (batch.length === 0) return ended;
      after = batch[batch.length - 1].id;
      for (let i = 0; i < batch.length; i += RECHECK_CONCURRENCY) {
        if (this.stopping) throw new FeedStopped();
        const chunk = batch.slice(i, i + RECHECK_CONCURRENCY);
        const outcomes = await Promise.all(chunk.map((consent) => this.recheck(consent)));
        // Writes one after another: they share the session's connection.
        for (const [j, to] of outcomes.entries()) {
          this.rechecked.inc({ result: to });
          if ((to === 'expired' || to === 'archived') && (await session.endActiveConsent(chunk[j].id, to, { reason: 'feed_gap_recheck' }))) ended++;
        }
      }
    }
  }

  private async recheck(consent: ActiveConsentRef): Promise<'active' | 'expired' | 'archived' | 'error'> {
    try {
      return statusAfterRecheck(await this.debt.status(consent.providerConsentId), consent, Date.now()) ?? 'active';
    } catch (error) {
      if (error instanceof NogiInvalidConsentError) return error.reason === 'expired' || error.reason === 'used' || isUsedOneTime(consent) ? 'expired' : 'archived';
      // NoGi down or slow: the whole re-check is repeated by the next run. Anything else about one
      // consent must not stall the feed forever: it is counted and the consent left as it is.
      if (error instanceof AppError && (error.code === 'NOGI_UNAVAILABLE' || error.code === 'NOGI_TIMEOUT')) throw error;
      return 'error';
    }
  }

  private countApplied(events: FeedEvent[]): void {
    for (const e of events) this.eventsApplied.inc({ type: e.eventType });
  }

  /** Each new event of a type we do not know: recorded in feed_event by applyPage, counted, logged (no consent id). */
  private reportSkipped(events: UnknownFeedEvent[]): void {
    for (const e of events) {
      this.eventsSkipped.inc({ type: e.eventType });
      this.logger.warn({ event: 'nogi_feed.event_skipped', eventType: e.eventType, sequenceNr: e.sequenceNr.toString(), eventId: e.eventId }, 'Consent feed event of an unknown type recorded and skipped');
    }
  }
}

class FeedStopped extends Error {
  constructor() {
    super('The consent feed run was stopped by shutdown');
  }
}

function maxOf(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

function lagOf(last: bigint, cursor: bigint): number {
  return last > cursor ? Number(last - cursor) : 0;
}
