/** Altinn 3 consent requests (notes 1.1): the enterprise API, its scopes and our Skatteetaten resources. */
export const CONSENT_REQUESTS_PATH = '/accessmanagement/api/v1/enterprise/consentrequests';
export const CONSENT_EVENTS_PATH = `${CONSENT_REQUESTS_PATH}/events`;

export const ALTINN3_SCOPES = {
  write: 'altinn:consentrequests.write',
  read: 'altinn:consentrequests.read',
} as const;

/** Skatteetaten's consent resources in Altinn's Resource Registry (notes 3) and their metadata keys. */
export const SKATTEETATEN_RESOURCES = {
  taxAssessment: 'ske-samtykke-sbl-summert-skattegrunnlag',
  income: 'ske-samtykke-sbl-inntekt',
} as const;

export const PERSON_URN_PREFIX = 'urn:altinn:person:identifier-no:';
export const ORGANIZATION_URN_PREFIX = 'urn:altinn:organization:identifier-no:';

export const CONSENT_STATUSES = ['created', 'rejected', 'accepted', 'revoked', 'deleted', 'expired'] as const;
export type ConsentRequestStatus = (typeof CONSENT_STATUSES)[number];
export const CONSENT_EVENT_TYPES = [...CONSENT_STATUSES, 'used'] as const;
export type ConsentEventType = (typeof CONSENT_EVENT_TYPES)[number];

/** One right of a request: the resource and its metadata (keys lower-case, values strings). */
export interface ConsentRight {
  resource: string;
  metadata: Record<string, string>;
}

export interface CreateConsentRequest {
  /** Our consent id (UUID): Altinn's idempotency key. */
  id: string;
  /** The customer, sent as `from`. */
  nationalId: string;
  validTo: Date;
  right: ConsentRight;
  /** Shown to the customer; omitted when not given (Skatteetaten's resources carry their own text). */
  message?: string;
  /** Built with `altinnRedirectUrl` (ALTINN_REDIRECT_URI + state). */
  redirectUrl: string;
}

export interface CreatedConsentRequest {
  id: string;
  /** Where the customer gives or refuses consent. */
  viewUri: string;
  status: ConsentRequestStatus;
  /** true: 201 (new); false: 200 (Altinn already had this id with the same parties). */
  created: boolean;
}

export interface ConsentRequestDetails {
  id: string;
  /**
   * Altinn's status, lower-cased; `expired` when a created or accepted request's answer carries
   * the synthetic `expired` event (Altinn does not change `status` at expiry, it only appends it).
   */
  status: ConsentRequestStatus;
  /** Altinn's own status, lower-cased. */
  altinnStatus: ConsentRequestStatus;
  /** URN, `urn:altinn:person:identifier-no:<fnr>`. */
  from: string;
  /** URN, `urn:altinn:organization:identifier-no:<orgnr>`. */
  to: string;
  validTo: Date;
  /** When the customer accepted. */
  consented?: Date;
  rights: ConsentRight[];
  events: Array<{ eventType: string; created?: Date }>;
  viewUri?: string;
}

export interface ConsentRequestEvent {
  consentRequestId: string;
  /** Lower-cased; compare with `toEventType`. */
  eventType: string;
  changedDate: Date;
}

export interface ConsentEventsPage {
  events: ConsentRequestEvent[];
  /**
   * Altinn's `links.next` (same origin as the platform, checked), present only after a full page.
   * Without it, poll the same cursor again later: the feed has no event ids, so a consumer is
   * idempotent by (consentRequestId, eventType, changedDate).
   */
  next?: string;
}
