import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AuditService, SYSTEM_ACTOR } from '../audit/audit.service';
import { AppError } from '../common/problem';
import type { Provider } from '../providers/datasets';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { ProviderRegistry } from '../providers/provider-registry';
import { ConsentRepository } from './consent.repository';
import { ConsentsService, outcomeOf } from './consents.service';
import { nextRetryDelayMs, type RevocationFailure, revocationFailure } from './revocation-backoff';
import { RevocationOutboxRepository } from './revocation-outbox.repository';

const INTERVAL_MS = 2000;
/** Rows per tick, so one tick never runs for long while NoGi is down. */
const MAX_PER_TICK = 20;
const ACTOR = SYSTEM_ACTOR('revocation-worker');

/** The stable log message (and `event`) ops alert on when a revocation is given up. */
export const REVOCATION_FAILED_LOG = 'Revocation failed: the provider was not told; the consent stays revoking until someone acts';

interface GivenUp {
  consentId: string;
  provider: Provider;
  attempts: number;
  reason: RevocationFailure;
  code: string;
}

/**
 * Delivers queued revocations to their provider (NoGi) until it confirms. Each row is delivered inside the
 * transaction that holds its lock (FOR UPDATE SKIP LOCKED), so replicas never send the same one
 * at once; rows survive restarts because they live in PostgreSQL. A row the provider refuses for good, or
 * that keeps failing for REVOCATION_GIVE_UP_HOURS, is recorded as failed (audit row, metric, one
 * error line) and no longer tried.
 */
@Injectable()
export class RevocationWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RevocationWorker.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;
  private readonly failed;

  constructor(
    private readonly outbox: RevocationOutboxRepository,
    private readonly registry: ProviderRegistry,
    private readonly consents: ConsentsService,
    private readonly consentRows: ConsentRepository,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
    metrics: MetricsService,
  ) {
    this.failed = metrics.counter('consent_revocations_failed_total', 'Queued revocations given up (the consent stays revoking), by upstream and reason', ['upstream', 'reason']);
  }

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
        let givenUp: GivenUp | undefined;
        const found = await this.outbox.withNextDue(async (row, manager) => {
          // Every outbox row belongs to a consent (foreign key); its dataset goes into the audit rows.
          const dataset = (await this.consentRows.findById(row.consentId, manager))?.dataset ?? 'debt';
          try {
            const provider = this.registry.of(row.provider);
            // A provider without revocation (or no longer enabled) cannot be told: the row fails below.
            if (!provider.revoke) throw new AppError('INTERNAL_ERROR', `No revocation at ${row.provider}`);
            const confirmed = await provider.revoke(row.providerConsentId);
            await this.outbox.markDelivered(manager, row.id);
            await this.consents.recordRevoked({ id: row.consentId, dataset, provider: row.provider }, confirmed, ACTOR, manager);
            delivered++;
          } catch (error) {
            const attempts = row.attempts + 1;
            const code = outcomeOf(error);
            const reason = revocationFailure(code, row.provider, row.createdAt, Date.now(), this.config.revocationGiveUpHours);
            if (reason === null) {
              await this.outbox.reschedule(manager, row.id, attempts, new Date(Date.now() + nextRetryDelayMs(attempts + 1)), code);
              this.logger.warn({ consentId: row.consentId, provider: row.provider, attempts, code }, 'Revocation not confirmed by the provider; will retry');
              return;
            }
            await this.outbox.markFailed(manager, row.id, attempts, reason, code);
            await this.audit.record({ action: 'consent.revocation_failed', actor: ACTOR, outcome: code, dataset, consentId: row.consentId, detail: { reason, attempts } }, manager);
            givenUp = { consentId: row.consentId, provider: row.provider, attempts, reason, code };
          }
        });
        if (!found) break;
        // Counted and logged once the failure is committed.
        if (givenUp) this.reportFailure(givenUp);
      }
    } catch (error) {
      this.logger.error({ err: error }, 'Revocation worker pass failed');
    }
    return delivered;
  }

  private reportFailure(failure: GivenUp): void {
    this.failed.inc({ upstream: failure.provider, reason: failure.reason });
    this.logger.error({ event: 'consent.revocation_failed', upstream: failure.provider, ...failure }, REVOCATION_FAILED_LOG);
  }
}
