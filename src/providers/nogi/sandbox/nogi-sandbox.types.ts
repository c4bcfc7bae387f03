import type { RequestBasics } from '../../../sandbox/call-log';
import type { AuthScope, DebtScope } from './auth-scope';
import type { ActiveFault } from '../../../sandbox/fault-injector';

export interface NogiSandboxClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
}

export interface NogiSandboxOptions {
  /** External base URL where the plugin is reachable; issuer and API base are the same in the sandbox. */
  baseUrl: string;
  clients: NogiSandboxClient[];
  /** Default true. NoGi's FAQ says the token endpoint may not issue ID tokens, so tests can switch it off. */
  issueIdToken?: boolean;
  /** Millisecond clock, for expiry tests. */
  now?: () => number;
}

export type ConsentOrigin = 'flow' | 'agreement' | 'control';

export interface SandboxConsent {
  id: string;
  clientId: string;
  nationalId: string;
  scope: DebtScope;
  origin: ConsentOrigin;
  createdAt: number;
  expiresAt: number;
  /** NoGi's default consent (no `.N`): one debt fetch within 10 minutes. */
  singleUse: boolean;
  used: boolean;
  durationDays?: number;
  externalConsentId?: string;
  /** Set when the bank revoked (DELETE) or the person archived it at norskgjeld.no. */
  revokedAt?: number;
  revokedBy?: 'client' | 'person';
  archivedEventEmitted: boolean;
}

export interface ConsentView {
  id: string;
  clientId: string;
  nationalId: string;
  scope: DebtScope;
  origin: ConsentOrigin;
  createdAt: string;
  expiresAt: string;
  singleUse: boolean;
  used: boolean;
  durationDays?: number;
  externalConsentId?: string;
  revokedAt?: string;
  revokedBy?: 'client' | 'person';
  active: boolean;
}

export interface CreateConsentInput {
  clientId: string;
  nationalId: string;
  scope: DebtScope;
  /** Omitted = NoGi's default single-use 10-minute consent. */
  durationDays?: number;
  externalConsentId?: string;
}

export type FeedEventType = 'SAMTYKKE_OPPRETTET' | 'SAMTYKKE_ARKIVERT';

export interface FeedEvent {
  sequenceNr: number;
  eventId: string;
  consentId: string;
  clientId: string;
  /** A FeedEventType, or a type NoGi's contract does not name (a test's `emitEventOfType`). */
  eventType: string;
  timestampMs: number;
  /** ISO-8601 with nanoseconds, as NoGi's feed writes it. */
  timestamp: string;
  scope: DebtScope;
  externalConsentId?: string;
}

export interface AccessToken {
  token: string;
  clientId: string;
  grant: 'authorization_code' | 'client_credentials';
  audience?: string;
  scopes: string[];
  consentId?: string;
  nationalId?: string;
  expiresAt: number;
  revoked: boolean;
}

export interface AuthorizationCode {
  code: string;
  clientId: string;
  redirectUri: string;
  consentId: string;
  scope: AuthScope;
  nonce?: string;
  codeChallenge?: string;
  expiresAt: number;
  used: boolean;
  issuedTokens: string[];
}

export interface PendingAuthorization {
  id: string;
  clientId: string;
  redirectUri: string;
  state: string;
  scope: AuthScope;
  nonce?: string;
  codeChallenge?: string;
  expiresAt: number;
}

export type IdTokenFault = 'wrong_nonce' | 'wrong_audience' | 'alg_none' | 'unknown_key' | 'other_pid';

export interface CallLogEntry extends RequestBasics {
  headers: {
    authorization: 'Basic' | 'Bearer' | 'other' | 'none';
    /** Client id decoded from a Basic header; never the secret. */
    basicClientId?: string;
    contentType?: string;
    accept?: string;
    userAgent?: string;
    traceId?: string;
  };
  body?: unknown;
  status?: number;
  fault?: ActiveFault;
}
