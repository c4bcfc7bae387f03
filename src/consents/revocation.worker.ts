import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SYSTEM_ACTOR } from '../audit/audit.service';
import { NogiDebtClient } from '../nogi/nogi-debt.client';
import { ConsentsService, outcomeOf } from './consents.service';
import { nextRetryDelayMs } from './revocation-backoff';
import { RevocationOutboxRepository } from './revocation-outbox.repository';

const INTERVAL_MS = 2000;
/** Rows per tick, so one tick never runs for long while NoGi is down. */
const MAX_PER_TICK = 20;
const ACTOR = SYSTEM_ACTOR('revocation-worker');

/**
 * Delivers queued revocations to NoGi until it confirms. Each row is delivered inside the
 * transaction that holds its lock (FOR UPDATE SKIP LOCKED), so replicas never send the same one
 * at once; rows survive restarts because they live in PostgreSQL.
 */
@Injectable()
export class RevocationWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RevocationWorker.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;

  constructor(
    private readonly outbox: RevocationOutboxRepository,
    private readonly debt: NogiDebtClient,
    private readonly consents: ConsentsService,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick().finally(() => {
        this.running = undefined;
        this.schedule();
      });
    }, INTERVAL_MS);
    this.timer.unref();
  }

  /** Delivers what is due; public so tests and operators can run one pass. */
  async tick(): Promise<number> {
    let delivered = 0;
    try {
      for (let i = 0; i < MAX_PER_TICK && !this.stopped; i++) {
        const found = await this.outbox.withNextDue(async (row, manager) => {
          try {
            const confirmed = await this.debt.revoke(row.nogiConsentId);
            await this.outbox.markDelivered(manager, row.id);
            await this.consents.recordRevoked(row.consentId, confirmed, ACTOR, manager);
            delivered++;
          } catch (error) {
            const attempts = row.attempts + 1;
            await this.outbox.reschedule(manager, row.id, attempts, new Date(Date.now() + nextRetryDelayMs(attempts + 1)), outcomeOf(error));
            this.logger.warn({ consentId: row.consentId, attempts, code: outcomeOf(error) }, 'Revocation not confirmed by NoGi; will retry');
          }
        });
        if (!found) break;
      }
    } catch (error) {
      this.logger.error({ err: error }, 'Revocation worker pass failed');
    }
    return delivered;
  }
}
