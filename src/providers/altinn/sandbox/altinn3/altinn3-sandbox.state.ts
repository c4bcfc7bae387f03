import { randomUUID } from 'node:crypto';
import { SimulatorState } from '../../../../sandbox/simulator-state';
import type { AltinnConsentView } from '../altinn-consent-view';
import { CONSENT_REQUESTS_PATH } from '../../altinn3/consent-request.types';
import type {
  Altinn3CallLogEntry,
  Altinn3SandboxOptions,
  Altinn3TokenVerifier,
  FeedEntry,
  StoredEvent,
  StoredRequest,
} from './altinn3-sandbox.types';

/** The endpoints a fault may name; `*` covers the API calls, not the customer's consent page. */
export const ALTINN3_FAULT_ENDPOINTS = ['consentRequestCreate', 'consentRequestGet', 'consentEvents', 'consentPage'] as const;
const FAULT_WILDCARD: readonly string[] = ['consentRequestCreate', 'consentRequestGet', 'consentEvents'];
const CALL_LOG_LIMIT = 1000;

/** What the customer (or a test acting as one) may do to a request. */
export type CustomerAction = 'accept' | 'reject' | 'revoke' | 'delete';

export class CustomerActionError extends Error {}

/**
 * The Altinn 3 simulator's state: consent requests, the events feed, a clock tests can move, the
 * PDP's refusals, faults and the call log. Routes and tests use this facade.
 */
export class Altinn3Sandbox extends SimulatorState<Altinn3CallLogEntry> {
  /** Mutable only so the standalone starter can set it once the port is known. */
  baseUrl: string;
  readonly verifyToken: Altinn3TokenVerifier;
  readonly eventHoldBackMs: number;
  readonly pageSize: number;

  private requests = new Map<string, StoredRequest>();
  private feed: FeedEntry[] = [];
  private seq = 0;
  private pdpDenied = new Set<string>();

  constructor(opts: Altinn3SandboxOptions) {
    super({ faultEndpoints: ALTINN3_FAULT_ENDPOINTS, faultWildcard: FAULT_WILDCARD, callLimit: CALL_LOG_LIMIT, now: opts.now });
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.verifyToken = opts.verifyToken;
    this.eventHoldBackMs = opts.eventHoldBackMs ?? 5 * 60_000;
    this.pageSize = opts.pageSize ?? 100;
  }

  // ---- URLs ----

  /** Mirrors Altinn's `https://am.ui.tt02.altinn.no/accessmanagement/ui/consent/request?id=<id>` on the simulator. */
  viewUri(id: string): string {
    return `${this.baseUrl}/accessmanagement/ui/consent/request?id=${id}`;
  }

  location(id: string): string {
    return `${this.baseUrl}${CONSENT_REQUESTS_PATH}/${id}`;
  }

  // ---- requests ----

  request(id: string): StoredRequest | undefined {
    return this.requests.get(id.toLowerCase());
  }

  /** Stores a validated new request with its `created` event. */
  store(request: Omit<StoredRequest, 'status' | 'events'>): StoredRequest {
    const stored: StoredRequest = { ...request, id: request.id.toLowerCase(), status: 'created', events: [] };
    this.addEvent(stored, 'created', request.to);
    this.requests.set(stored.id, stored);
    return stored;
  }

  /** Altinn does not store expiry: a read after validTo appends a synthetic `expired` event dated validTo. */
  eventsOnRead(request: StoredRequest): StoredEvent[] {
    if (request.validTo >= this.now()) return request.events;
    return [...request.events, { consentEventID: '', created: request.validTo, performedBy: request.to, eventType: 'expired' }];
  }

  /** The customer's decision or later withdrawal, as the consent page and /_sandbox/ apply it. */
  act(id: string, action: CustomerAction): StoredRequest {
    const request = this.request(id);
    if (!request) throw new CustomerActionError('unknown consent request');
    const live = request.validTo >= this.now();
    switch (action) {
      case 'accept':
      case 'reject':
        if (request.status !== 'created') throw new CustomerActionError(`the request is ${request.status}`);
        if (!live) throw new CustomerActionError('the request has expired');
        request.status = action === 'accept' ? 'accepted' : 'rejected';
        if (action === 'accept') request.consented = this.now();
        this.addEvent(request, request.status, request.from);
        return request;
      case 'revoke':
        if (request.status !== 'accepted') throw new CustomerActionError(`only an accepted consent can be revoked (it is ${request.status})`);
        request.status = 'revoked';
        this.addEvent(request, 'revoked', request.from);
        return request;
      case 'delete':
        if (request.status === 'deleted') throw new CustomerActionError('the request is already deleted');
        request.status = 'deleted';
        this.addEvent(request, 'deleted', request.from);
        return request;
    }
  }

  /** A data source reporting use of the consent (Altinn's `used` event). */
  markUsed(id: string): StoredRequest {
    const request = this.request(id);
    if (!request || request.status !== 'accepted') throw new CustomerActionError('only an accepted consent can be used');
    this.addEvent(request, 'used', request.to);
    return request;
  }

  private addEvent(request: StoredRequest, eventType: StoredEvent['eventType'], performedBy: string): void {
    const created = this.now();
    request.events.push({ consentEventID: randomUUID(), created, performedBy, eventType });
    // [I] The feed carries what the consumer can filter on (notes 1.7): not its own `created`.
    if (eventType === 'created') return;
    const seq = ++this.seq;
    this.feed.push({ seq, token: continuationToken(created, seq), consentRequestId: request.id, to: request.to, eventType, changedDate: created });
  }

  /** The view the Maskinporten simulator asks for: expiry applied, parties and rights as stored. */
  consentView(id: string): AltinnConsentView | undefined {
    const request = this.request(id);
    if (!request) return undefined;
    const expired = request.validTo < this.now() && (request.status === 'created' || request.status === 'accepted');
    return {
      id: request.id,
      status: expired ? 'expired' : request.status,
      from: request.from,
      to: request.to,
      validTo: new Date(request.validTo),
      ...(request.consented !== undefined ? { consented: new Date(request.consented) } : {}),
      rights: request.consentRights.map((r) => ({ resource: r.resource[0].value, metadata: { ...r.metadata } })),
    };
  }

  // ---- events feed ----

  /** Feed entries for one organisation, oldest first, without those younger than the hold-back. */
  feedFor(to: string): FeedEntry[] {
    const visibleUntil = this.now() - this.eventHoldBackMs;
    return this.feed.filter((e) => e.to === to && e.changedDate <= visibleUntil);
  }

  /** The sequence number behind a continuation token, or undefined when it is not one of ours. */
  seqOfToken(token: string): number | undefined {
    const bytes = Buffer.from(token, 'base64');
    if (bytes.length !== 16 || bytes.toString('base64') !== token) return undefined;
    return Number(bytes.readBigUInt64BE(8));
  }

  // ---- the PDP ----

  /** The PDP refuses this organisation consent for this resource (403 with no body). */
  denyResource(orgUrn: string, resource: string): void {
    this.pdpDenied.add(`${orgUrn} ${resource}`);
  }

  pdpAllows(orgUrn: string, resource: string): boolean {
    return !this.pdpDenied.has(`${orgUrn} ${resource}`);
  }

  // ---- reset (faults, the call log and the clock are SimulatorState's) ----

  reset(): void {
    this.requests.clear();
    this.feed = [];
    this.pdpDenied.clear();
    this.resetRecords();
  }
}

/** Base64 of a 16-byte, time-ordered event id (notes 1.7): opaque to the consumer. */
function continuationToken(created: number, seq: number): string {
  const bytes = Buffer.alloc(16);
  bytes.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(created))), 0);
  bytes.writeBigUInt64BE(BigInt(seq), 8);
  return bytes.toString('base64');
}
