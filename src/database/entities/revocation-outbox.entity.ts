import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A revocation NoGi has not confirmed yet. Written in the same transaction that sets the consent
 * to `revoking`, delivered by a background worker with backoff; rows are locked with
 * FOR UPDATE SKIP LOCKED so two replicas never deliver the same one at once.
 */
@Entity('revocation_outbox')
@Index('revocation_outbox_due_idx', ['nextAttemptAt'], { where: '"delivered_at" IS NULL' })
@Index('revocation_outbox_pending_consent_key', ['consentId'], { unique: true, where: '"delivered_at" IS NULL' })
export class RevocationOutboxEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Column('uuid', { name: 'consent_id' })
  consentId!: string;

  /** NoGi's id, copied so delivery needs no join. */
  @Column('text', { name: 'nogi_consent_id' })
  nogiConsentId!: string;

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
}
