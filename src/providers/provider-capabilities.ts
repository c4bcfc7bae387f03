import type { ConsentEntity, ConsentParameters } from '../database/entities/consent.entity';
import type { Dataset, Provider } from './datasets';

/** What a provider needs to send the customer to its consent page. */
export interface FlowStartInput {
  flowId: string;
  dataset: Dataset;
  /** The customer's national id: checked, never stored in plain text by the neutral part. */
  nationalId: string;
  parameters: ConsentParameters;
  /** The consent's length in days as asked (null/undefined: the provider's default). */
  durationDays: number | undefined;
  /** Plain text shown to the customer (Altinn), when the caller gave one. */
  message: string | undefined;
  /** debt only: presentation or processing. */
  purpose: string | undefined;
  /** The one-time state the provider must send back with the customer; the neutral part keeps it hashed. */
  state: string;
  /** When the flow stops accepting its callback. */
  expiresAt: Date;
  requestId: string;
}

export interface FlowStartOutput {
  authorizationUrl: string;
  /** The scope (NoGi) or resource (Altinn) asked for, as the API shows it. */
  scope: string;
  /** As granted/clamped; null for a provider's one-time default. */
  durationDays: number | null;
  /** One-time values the provider needs back in its callback (NoGi: nonce, PKCE verifier). */
  secrets?: Record<string, string>;
  /** Provider bookkeeping kept with the flow (e.g. NoGi's base scope, Altinn's request id). */
  flowData?: Record<string, string | number | null>;
}

/** What a provider's data read returns (ConsentDataService checks the person before anything is disclosed). */
export interface ProviderRead<T> {
  /** The person the provider's answer names (hashed), or null when it names nobody we can check. */
  personHash: string | null;
  /** Maps the answer, after the identity check; an answer we cannot represent throws (a failed read). */
  disclose(): T;
}

/** The provider's current view of a consent (`?refresh=true`). */
export type ProviderConsentStatus = { active: true; expiresAt?: Date } | { active: false; ended: 'expired' | 'archived'; reason: string };

/**
 * What a provider offers the neutral features, found through the ProviderRegistry. Each member is
 * optional: only what a provider has. A provider without `revoke` has no revocation upstream (the
 * customer withdraws at the provider), so ours is recorded at once and is final.
 */
export interface ProviderCapabilities {
  readonly provider: Provider;
  /** Starts a flow for one of the provider's datasets (absent: the provider has no flow). */
  startFlow?(input: FlowStartInput): Promise<FlowStartOutput>;
  /**
   * Revokes at the provider: resolves when the provider confirmed (`revoked`) or said the consent
   * is already over (`already_invalid`, final); throws when it could not confirm (the revocation is
   * then queued durably and retried by the outbox worker).
   */
  revoke?(providerConsentId: string, requestId?: string): Promise<'revoked' | 'already_invalid'>;
  /** Re-reads the consent's status at the provider. */
  status?(consent: ConsentEntity, requestId?: string): Promise<ProviderConsentStatus>;
}

/**
 * Thrown by a provider's data read when the provider says the consent is no longer valid: the
 * neutral part records `ended` (when the consent is still active), audits it and answers 410.
 */
export class ConsentEndedAtProviderError extends Error {
  constructor(
    readonly ended: 'expired' | 'archived',
    /** lower_snake, for the audit trail (e.g. `nogi_revoked`, `skatteetaten_consent_error`). */
    readonly reason: string,
  ) {
    super(`The provider says the consent is over (${reason})`);
    this.name = 'ConsentEndedAtProviderError';
  }
}
