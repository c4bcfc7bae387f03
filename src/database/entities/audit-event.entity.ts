import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Every data disclosure and consent change, with who asked and how it ended (contract: lifecycle rules).
 * Never a national id in plain text: `detail` holds ids and codes only.
 */
@Entity('audit_event')
@Index('audit_event_consent_idx', ['consentId', 'occurredAt'])
@Index('audit_event_flow_idx', ['flowId'])
export class AuditEventEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @CreateDateColumn({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  /** e.g. flow.completed, consent.registered, consent.revoked, consent.archived, consent.expired, debt.disclosed */
  @Column('varchar', { length: 64 })
  action!: string;

  /** The dataset the disclosure or change is about (debt, tax-assessment, income, accounts). */
  @Column('varchar', { length: 32, nullable: true })
  dataset!: string | null;

  @Column('uuid', { name: 'consent_id', nullable: true })
  consentId!: string | null;

  @Column('uuid', { name: 'flow_id', nullable: true })
  flowId!: string | null;

  @Column('text', { name: 'actor_subject', nullable: true })
  actorSubject!: string | null;

  @Column('text', { name: 'actor_client', nullable: true })
  actorClient!: string | null;

  @Column('text', { name: 'request_id', nullable: true })
  requestId!: string | null;

  /** success, or a failure code such as nogi_unavailable, identity_mismatch */
  @Column('varchar', { length: 64 })
  outcome!: string;

  @Column('jsonb', { nullable: true })
  detail!: Record<string, unknown> | null;
}
