import type { Provider } from './consent.entity';
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A revocation NoGi has not confirmed yet. Written in the same transaction that sets the consent
 * to `revoking`, delivered by a background worker with backoff; rows are locked with
 * FOR UPDATE SKIP LOCKED so two replicas never deliver the same one at once. A row NoGi refused
 * for good, or that kept failing for REVOCATION_GIVE_UP_HOURS, is marked failed and no longer
 * tried; it still counts as the consent's pending revocation (the consent stays `revoking`).
 */
@Entity('revocation_outbox')
@Index('revocation_outbox_due_idx', ['nextAttemptAt'], { where: '"delivered_at" IS NULL AND "failed_at" IS NULL' })
@Index('revocation_outbox_pending_consent_key', ['consentId'], { unique: true, where: '"delivered_at" IS NULL' })
export class RevocationOutboxEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Column('uuid', { name: 'consent_id' })
  consentId!: string;

  /** NoGi's id, copied so delivery needs no join. */
  @Column('varchar', { length: 16, default: 'nogi' })
  provider!: Provider;

  @Column('text', { name: 'provider_consent_id' })
  providerConsentId!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column('integer', { default: 0 })
  attempts!: number;

  @Column('timestamptz', { name: 'next_attempt_at' })
  nextAttemptAt!: Date;

  /** A failure code (never an upstream body). */
  @Column('text', { name: 'last_error', nullable: true })
  lastError!: string | null;

  @Column('timestamptz', { name: 'delivered_at', nullable: true })
  deliveredAt!: Date | null;

  /** When the worker stopped trying: NoGi refused for good, or REVOCATION_GIVE_UP_HOURS passed. */
  @Column('timestamptz', { name: 'failed_at', nullable: true })
  failedAt!: Date | null;

  /** `nogi_rejected` (a 4xx other than `invalid consent`) or `gave_up`; the last error is in last_error. */
  @Column('varchar', { name: 'failure_reason', length: 64, nullable: true })
  failureReason!: string | null;
}
