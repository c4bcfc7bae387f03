import { setTimeout as delay } from 'node:timers/promises';
import { Injectable, Logger } from '@nestjs/common';
import { AppError } from '../common/problem';
import { MetricsService } from '../metrics/metrics.service';
import type { Provider } from '../providers/datasets';
import { ProviderRegistry } from '../providers/provider-registry';

/** Waits before recording a granted consent again: about a second in all, while the caller waits. */
const RECORD_RETRY_DELAYS_MS = [250, 1000];

/** A consent a provider has just granted, not yet recorded here. */
export interface GrantedConsent {
  provider: Provider;
  providerConsentId: string;
  requestId?: string;
  /** Our ids for the log lines (flowId, consentId): never a national id. */
  context: Record<string, string>;
}

/**
 * Records a consent a provider granted (a flow's callback, a registration at NoGi), retrying
 * briefly when our database fails (a dropped connection, a failover). A granted consent must never
 * stay live without a record here; when the database stays away the revocation cannot be queued in
 * it either, so the last resort is to revoke it at the provider directly (where it has a
 * revocation), with an error line ops alert on (`event: consent.unrecorded`).
 */
@Injectable()
export class GrantedConsentRecorder {
  private readonly logger = new Logger(GrantedConsentRecorder.name);
  private readonly unrecorded;

  constructor(
    private readonly registry: ProviderRegistry,
    metrics: MetricsService,
  ) {
    this.unrecorded = metrics.counter('consent_unrecorded_total', 'Consents a provider granted that our database could not record, by provider and what became of them there (revoked, left_at_provider)', ['provider', 'outcome']);
  }

  /**
   * The record `write` made, or null when our database could not make it (the consent was then
   * revoked at the provider, or an error line says it could not be). An AppError from `write` is
   * its own answer about the record (a conflict with a row we hold, which may be this very
   * consent's): it is thrown as it came, without retries and without revoking anything.
   */
  async record<T>(granted: GrantedConsent, write: () => Promise<T>): Promise<T | null> {
    let cause: unknown;
    for (let attempt = 0; attempt <= RECORD_RETRY_DELAYS_MS.length; attempt++) {
      if (attempt > 0) await delay(RECORD_RETRY_DELAYS_MS[attempt - 1]);
      try {
        return await write();
      } catch (error) {
        if (error instanceof AppError) throw error;
        cause = error;
        this.logger.warn({ ...granted.context, provider: granted.provider, attempt: attempt + 1, err: error }, 'Recording a granted consent failed');
      }
    }
    await this.revokeUnrecorded(granted, cause);
    return null;
  }

  private async revokeUnrecorded({ provider, providerConsentId, requestId, context }: GrantedConsent, cause: unknown): Promise<void> {
    const event = 'consent.unrecorded';
    const capabilities = this.registry.of(provider);
    try {
      if (!capabilities.revoke) throw new Error('no revocation at this provider');
      const result = await capabilities.revoke(providerConsentId, requestId);
      this.unrecorded.inc({ provider, outcome: 'revoked' });
      this.logger.error({ event, outcome: 'revoked', provider, ...context, providerConsentId, result, err: cause }, 'A granted consent could not be recorded; it was revoked at the provider directly');
    } catch (error) {
      this.unrecorded.inc({ provider, outcome: 'left_at_provider' });
      this.logger.error(
        { event, outcome: 'left_at_provider', provider, ...context, providerConsentId, revokeError: error instanceof AppError ? error.code : 'internal_error', err: cause },
        'A granted consent could neither be recorded nor revoked: revoke it at the provider by hand (providerConsentId)',
      );
    }
  }
}
