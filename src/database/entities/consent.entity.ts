import { DATASETS, PROVIDERS, type Dataset, type Provider } from '../../providers/datasets';
import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export const CONSENT_PURPOSES = ['presentation', 'processing'] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];
/** NoGi's maximum consent durations (scopes reference): presentation 365 days, processing 28. */
export const MAX_DURATION_DAYS: Record<ConsentPurpose, number> = { presentation: 365, processing: 28 };
export const CONSENT_SOURCES = ['flow', 'agreement', 'external'] as const;
export type ConsentSource = (typeof CONSENT_SOURCES)[number];
export const CONSENT_STATUSES = ['active', 'expired', 'revoked', 'archived', 'revoking'] as const;
export type ConsentStatus = (typeof CONSENT_STATUSES)[number];
export { DATASETS, PROVIDERS, type Dataset, type Provider };
/** A dataset's fields (contract: `parameters`): tax-assessment's income year, income's month range. */
export interface ConsentParameters {
  incomeYear?: number;
  fromMonth?: string;
  toMonth?: string;
}

const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

/**
 * A consent at a provider as this bank knows it. The national id is kept as a keyed hash; where it
 * must be read back (open banking's PSU-ID) it is also in secret_ciphertext, encrypted.
 */
@Entity('consent')
@Check('consent_provider_check', `"provider" IN (${list(PROVIDERS)})`)
@Check('consent_dataset_check', `"dataset" IN (${list(DATASETS)})`)
// Only debt knows a presentation purpose (NoGi); every other dataset is processing only.
@Check('consent_dataset_purpose_check', `"dataset" = 'debt' OR "purpose" = 'processing'`)
@Check('consent_purpose_check', `"purpose" IN (${list(CONSENT_PURPOSES)})`)
@Check('consent_source_check', `"source" IN (${list(CONSENT_SOURCES)})`)
@Check('consent_status_check', `"status" IN (${list(CONSENT_STATUSES)})`)
@Index('consent_customer_idx', ['nationalIdHash', 'createdAt', 'id'])
@Index('consent_status_expires_idx', ['status', 'expiresAt'])
@Index('consent_provider_consent_id_key', ['provider', 'providerConsentId'], { unique: true })
export class ConsentEntity {
  /** Our id (UUID); NoGi's id never appears in our paths. */
  @PrimaryColumn('uuid')
  id!: string;

  /** Rows from before several providers existed are NoGi debt consents; a request without dataset is debt. */
  @Column('varchar', { length: 16, default: 'nogi' })
  provider!: Provider;

  @Column('varchar', { length: 32, default: 'debt' })
  dataset!: Dataset;

  /** The provider's own consent id (NoGi's consentId, Altinn's consent request id, or ours for open banking). */
  @Column('text', { name: 'provider_consent_id' })
  providerConsentId!: string;

  @Column('jsonb', { nullable: true })
  parameters!: ConsentParameters | null;

  /** DataCipher envelope of what must be read back (a national id for PSU-ID, an Altinn 2 authorization code). */
  @Column('text', { name: 'secret_ciphertext', nullable: true })
  secretCiphertext!: string | null;

  @Index('consent_client_consent_id_key', { unique: true, where: '"client_consent_id" IS NOT NULL' })
  @Column('text', { name: 'client_consent_id', nullable: true })
  clientConsentId!: string | null;

  @Column('varchar', { length: 16 })
  purpose!: ConsentPurpose;

  /** NoGi's base scope, e.g. debt.unsecured.presentation (the duration is not part of it). */
  @Column('text')
  scope!: string;

  @Column('integer', { name: 'duration_days', nullable: true })
  durationDays!: number | null;

  @Column('varchar', { length: 16 })
  source!: ConsentSource;

  @Column('varchar', { length: 16 })
  status!: ConsentStatus;

  /** HMAC-SHA256 (NATIONAL_ID_HMAC_KEY) of the customer's national id; null for consents learnt from the feed. */
  @Column('char', { name: 'national_id_hash', length: 64, nullable: true })
  nationalIdHash!: string | null;

  /** The caller (client id) that created it, for the audit trail. */
  @Column('text', { name: 'created_by', nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column('timestamptz', { name: 'expires_at', nullable: true })
  expiresAt!: Date | null;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;

  @Column('timestamptz', { name: 'last_used_at', nullable: true })
  lastUsedAt!: Date | null;

  /** Timestamp of the newest feed event applied to this consent (feed order is by timestamp, not sequence). */
  @Column('timestamptz', { name: 'last_event_at', nullable: true })
  lastEventAt!: Date | null;
}
