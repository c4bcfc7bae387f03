import type { RequestBasics } from '../../../../sandbox/call-log';
import type { ActiveFault } from '../../../../sandbox/fault-injector';
import type { ConsentEventType, ConsentRequestStatus } from '../../altinn3/consent-request.types';

/** Who a bearer token speaks for, when it is valid and carries the scope. */
export interface Altinn3TokenSubject {
  orgNumber: string;
}

/**
 * Checks a bearer token for one scope (the Maskinporten simulator issues them; tests may pass a
 * tiny local one). undefined = invalid, expired, or without that scope.
 */
export type Altinn3TokenVerifier = (token: string, scope: string) => Altinn3TokenSubject | undefined | Promise<Altinn3TokenSubject | undefined>;

export interface Altinn3SandboxOptions {
  /** Where the simulator is reached (no trailing slash): `viewUri`, `Location` and `links.next` point here. */
  baseUrl: string;
  verifyToken: Altinn3TokenVerifier;
  now?: () => number;
  /** Events younger than this are not in the feed yet (Altinn: 5 minutes; tests: 0). */
  eventHoldBackMs?: number;
  /** Events per feed page (Altinn: 100). */
  pageSize?: number;
}

export interface StoredRight {
  action: string[];
  resource: Array<{ type: string; value: string }>;
  metadata: Record<string, string>;
}

export interface StoredEvent {
  consentEventID: string;
  created: number;
  performedBy: string;
  eventType: ConsentEventType;
}

export interface StoredRequest {
  id: string;
  from: string;
  to: string;
  requiredDelegator?: string;
  handledBy?: string;
  validTo: number;
  consentRights: StoredRight[];
  requestMessage?: Record<string, string>;
  status: Exclude<ConsentRequestStatus, 'expired'>;
  consented?: number;
  redirectUrl: string;
  portalViewMode: 'hide' | 'show';
  events: StoredEvent[];
}

/** One entry of the events feed; `seq` orders it, `token` is the opaque continuation token after it. */
export interface FeedEntry {
  seq: number;
  token: string;
  consentRequestId: string;
  to: string;
  eventType: ConsentEventType;
  changedDate: number;
}

export type Altinn3Endpoint = 'consentRequestCreate' | 'consentRequestGet' | 'consentEvents' | 'consentPage' | 'control';

export interface Altinn3CallLogEntry extends RequestBasics<Altinn3Endpoint> {
  /** `Bearer`, `none` or `other`; never the token. */
  authorization: string;
  contentType?: string;
  /** The JSON body with the person's national id masked. */
  body?: unknown;
  status?: number;
  fault?: ActiveFault;
}
