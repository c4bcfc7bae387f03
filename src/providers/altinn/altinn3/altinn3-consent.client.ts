import { AppError } from '../../../common/problem';
import { type UpstreamResponse, upstreamBadResponse, upstreamFailure, UpstreamStatusError, upstreamStatusFailure } from '../../upstream/upstream';
import type { AltinnHttpClient } from '../altinn-http.client';
import { consentRequestBody, field, parseDate, parseRights, partyUrn, toConsentStatus, toEventType } from './consent-request.mapping';
import {
  ALTINN3_SCOPES,
  CONSENT_EVENTS_PATH,
  CONSENT_REQUESTS_PATH,
  type ConsentEventsPage,
  type ConsentRequestDetails,
  type ConsentRequestEvent,
  type CreateConsentRequest,
  type CreatedConsentRequest,
} from './consent-request.types';

/** A Maskinporten access token for one scope (the Maskinporten client's cached grant). */
export type MaskinportenTokenSource = (scope: string) => Promise<string>;

export interface Altinn3ConsentSettings {
  /** ALTINN_PLATFORM_URL, no trailing slash. */
  platformUrl: string;
  /** ALTINN_ORG_NUMBER: `to` of every request. */
  orgNumber: string;
}

/** Altinn does not know the consent request (404 on read): deleted there, or never created. */
export class AltinnConsentRequestNotFoundError extends AppError {
  constructor(readonly consentRequestId: string) {
    super('ALTINN_BAD_RESPONSE', 'Altinn does not know the consent request.', { cause: new UpstreamStatusError('altinn', 'consentrequests.get', 404) });
    this.name = 'AltinnConsentRequestNotFoundError';
  }
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Altinn 3's enterprise consent-request API (notes 1): create a request (idempotent by our id, so
 * retried), read one, and page through the events feed. Each call carries a Maskinporten token for
 * its scope. Failures: no answer → ALTINN_TIMEOUT / ALTINN_UNAVAILABLE, 5xx/429 →
 * ALTINN_UNAVAILABLE, any other refusal (the PDP's bodyless 403, a 400 ProblemDetails) →
 * ALTINN_REJECTED, an answer we cannot read → ALTINN_BAD_RESPONSE. Altinn's bodies never leave here.
 */
export class Altinn3ConsentClient {
  private readonly origin: string;

  constructor(
    private readonly http: AltinnHttpClient,
    private readonly token: MaskinportenTokenSource,
    private readonly settings: Altinn3ConsentSettings,
  ) {
    this.origin = new URL(settings.platformUrl).origin;
  }

  async create(request: CreateConsentRequest): Promise<CreatedConsentRequest> {
    const operation = 'consentrequests.create';
    const body = JSON.stringify(consentRequestBody(request, this.settings.orgNumber));
    // A re-POST of the same id with the same parties answers 200 with the stored request (notes 1.4): safe to retry.
    const response = await this.call(operation, ALTINN3_SCOPES.write, (authorization) =>
      this.http.send({ operation, method: 'POST', url: `${this.settings.platformUrl}${CONSENT_REQUESTS_PATH}`, headers: { authorization, 'content-type': 'application/json' }, body }),
    );
    if (response.status !== 201 && response.status !== 200) throw this.statusFailure(response, operation);
    const id = field(response.body, 'id');
    if (typeof id === 'string' && id.toLowerCase() !== request.id.toLowerCase()) throw upstreamBadResponse('altinn', response.status, operation, 'Altinn answered with another consent request.');
    let viewUri = field(response.body, 'viewUri');
    let status = toConsentStatus(field(response.body, 'status'));
    // The 200 to a re-POST skips the 201's external mapper (notes 1.4 [I]): without a viewUri there,
    // the request's details (always mapped) have it.
    if (response.status === 200 && !isWebUrl(viewUri)) {
      const details = await this.get(request.id);
      viewUri = details.viewUri;
      status = details.altinnStatus;
    }
    if (!isWebUrl(viewUri)) throw upstreamBadResponse('altinn', response.status, operation, 'Altinn answered without a usable viewUri.');
    return { id: request.id, viewUri, status: status ?? 'created', created: response.status === 201 };
  }

  async get(id: string): Promise<ConsentRequestDetails> {
    const operation = 'consentrequests.get';
    if (!UUID_RE.test(id)) throw new RangeError('consent request id must be a UUID');
    const response = await this.call(operation, ALTINN3_SCOPES.read, (authorization) =>
      this.http.send({ operation, method: 'GET', url: `${this.settings.platformUrl}${CONSENT_REQUESTS_PATH}/${id}`, headers: { authorization } }),
    );
    if (response.status === 404) throw new AltinnConsentRequestNotFoundError(id);
    if (response.status !== 200) throw this.statusFailure(response, operation);
    const details = parseDetails(response.body);
    if (!details || details.id.toLowerCase() !== id.toLowerCase()) throw upstreamBadResponse('altinn', 200, operation, 'Altinn answered with a consent request we cannot read.');
    return details;
  }

  /** One page of the events feed: the first without a cursor, then each `next` this returned. */
  async events(cursorUrl?: string): Promise<ConsentEventsPage> {
    const operation = 'events.list';
    const url = cursorUrl ?? `${this.settings.platformUrl}${CONSENT_EVENTS_PATH}`;
    if (!this.isOurs(url)) throw new RangeError('events cursor must be a URL on the Altinn platform');
    const response = await this.call(operation, ALTINN3_SCOPES.read, (authorization) => this.http.send({ operation, method: 'GET', url, headers: { authorization } }));
    if (response.status !== 200) throw this.statusFailure(response, operation);
    const data = field(response.body, 'data');
    if (!Array.isArray(data)) throw upstreamBadResponse('altinn', 200, operation, 'Altinn answered with an events page we cannot read.');
    const events: ConsentRequestEvent[] = [];
    for (const item of data) {
      const consentRequestId = field(item, 'consentRequestId');
      const eventType = field(item, 'eventType');
      const changedDate = parseDate(field(item, 'changedDate'));
      if (typeof consentRequestId !== 'string' || typeof eventType !== 'string' || !changedDate) {
        throw upstreamBadResponse('altinn', 200, operation, 'Altinn answered with an event we cannot read.');
      }
      events.push({ consentRequestId, eventType: eventType.toLowerCase(), changedDate });
    }
    const next = field(field(response.body, 'links'), 'next');
    if (next === undefined || next === null || next === '') return { events };
    // A next link elsewhere would send our token to another host: never follow it.
    if (typeof next !== 'string' || !this.isOurs(next)) throw upstreamBadResponse('altinn', 200, operation, 'Altinn’s next link is not on the Altinn platform.');
    return { events, next };
  }

  private isOurs(url: string): boolean {
    try {
      return new URL(url).origin === this.origin;
    } catch {
      return false;
    }
  }

  /** One token per call, then the call with idempotent retries (all three operations are idempotent). */
  private async call(operation: string, scope: string, send: (authorization: string) => Promise<UpstreamResponse>): Promise<UpstreamResponse> {
    const token = await this.token(scope);
    try {
      return await this.http.sendIdempotent(operation, () => send(`Bearer ${token}`));
    } catch (error) {
      throw upstreamFailure(error, operation);
    }
  }

  private statusFailure(response: UpstreamResponse, operation: string): AppError {
    if (response.status >= 200 && response.status < 300) return upstreamBadResponse('altinn', response.status, operation, `Altinn answered HTTP ${response.status}.`);
    return upstreamStatusFailure('altinn', response.status, operation);
  }
}

function isWebUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** ConsentRequestDetailsDto, leniently (notes 1.4, 1.5): any letter case of names and values. */
export function parseDetails(body: unknown): ConsentRequestDetails | undefined {
  const id = field(body, 'id');
  const altinnStatus = toConsentStatus(field(body, 'status'));
  const from = partyUrn(field(body, 'from'));
  const to = partyUrn(field(body, 'to'));
  const validTo = parseDate(field(body, 'validTo'));
  const rights = parseRights(field(body, 'consentRights'));
  if (typeof id !== 'string' || !altinnStatus || !from || !to || !validTo || !rights) return undefined;
  const rawEvents = field(body, 'consentRequestEvents');
  const events = (Array.isArray(rawEvents) ? rawEvents : [])
    .map((e) => ({ eventType: String(field(e, 'eventType') ?? '').toLowerCase(), created: parseDate(field(e, 'created')) }))
    .filter((e) => e.eventType !== '');
  // Only a live request turns expired; a rejected or revoked one keeps saying so.
  const expired = (altinnStatus === 'accepted' || altinnStatus === 'created') && events.some((e) => toEventType(e.eventType) === 'expired');
  const consented = parseDate(field(body, 'consented'));
  const viewUri = field(body, 'viewUri');
  return { id, status: expired ? 'expired' : altinnStatus, altinnStatus, from, to, validTo, ...(consented ? { consented } : {}), rights, events, ...(isWebUrl(viewUri) ? { viewUri } : {}) };
}
