import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppError } from '../../../common/problem';
import { MetricsService } from '../../../metrics/metrics.service';
import { type AltinnClients, ALTINN_CLIENTS } from '../altinn-clients';
import { AltinnEventsRepository } from './altinn-events.repository';

export type AltinnEventsSyncResult = { outcome: 'off' } | { outcome: 'locked' } | { outcome: 'synced'; pages: number; changed: number } | { outcome: 'failed'; reason: string };

/** Bounds one run; the rest is read by the next one. */
const MAX_PAGES_PER_RUN = 50;

/**
 * Follows Altinn 3's consent events so our records stay true when the customer withdraws in
 * Altinn: one run, on the replica holding the lock, reads the pages after the cursor and applies
 * each with its cursor move in one transaction. Altinn gives `next` only after a full page; without
 * one the same page is read again next time, and the applied-event log makes that harmless.
 */
@Injectable()
export class AltinnEventsService {
  private readonly logger = new Logger(AltinnEventsService.name);
  private inflight: Promise<AltinnEventsSyncResult> | undefined;
  private stopping = false;
  private readonly applied;
  private readonly errors;

  constructor(
    @Inject(ALTINN_CLIENTS) private readonly clients: AltinnClients | null,
    private readonly repository: AltinnEventsRepository,
    metrics: MetricsService,
  ) {
    this.applied = metrics.counter('altinn_events_applied_total', 'Altinn consent events that changed a consent, by event type', ['type']);
    this.errors = metrics.counter('altinn_events_errors_total', 'Altinn events runs that failed, by reason', ['reason']);
  }

  /** One run; concurrent calls in this process share it. */
  syncOnce(): Promise<AltinnEventsSyncResult> {
    this.inflight ??= this.run().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.inflight?.catch(() => undefined);
  }

  private async run(): Promise<AltinnEventsSyncResult> {
    const clients = this.clients;
    if (!clients || clients.config.version !== 3) return { outcome: 'off' };
    try {
      const result = await this.repository.withLock(async (session) => {
        let cursor = await session.cursor();
        let pages = 0;
        let changed = 0;
        while (pages < MAX_PAGES_PER_RUN && !this.stopping) {
          const page = await clients.altinn3.events(cursor ?? undefined);
          pages++;
          const changes = await session.applyPage(page.events, page.next ?? cursor);
          for (const c of changes) this.applied.inc({ type: c.eventType });
          changed += changes.length;
          if (!page.next) break;
          cursor = page.next;
        }
        return { pages, changed };
      });
      if (!result.locked) return { outcome: 'locked' };
      return { outcome: 'synced', ...result.value };
    } catch (error) {
      const reason = error instanceof AppError ? error.code.toLowerCase() : 'internal_error';
      this.errors.inc({ reason });
      this.logger.warn({ reason, err: error instanceof AppError ? undefined : error }, 'Altinn events run failed; the next run starts from the last applied page');
      return { outcome: 'failed', reason };
    }
  }
}
