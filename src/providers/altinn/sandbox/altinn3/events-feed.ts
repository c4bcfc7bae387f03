import type { Altinn3Sandbox } from './altinn3-sandbox.state';
import type { FeedEntry } from './altinn3-sandbox.types';
import { CONSENT_EVENTS_PATH } from '../../altinn3/consent-request.types';
import type { ValidationErrors } from './consent-request.validation';

/** The event types the feed may be filtered on (notes 1.7), any letter case. */
export const FEED_EVENT_TYPES = ['rejected', 'accepted', 'revoked', 'deleted', 'used'] as const;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type FeedPage = { errors: ValidationErrors } | { body: { links: { next?: string }; data: Array<{ consentRequestId: string; eventType: string; changedDate: string }> } };

/**
 * One page of `GET …/consentrequests/events` for one organisation: oldest first, `pageSize` at most,
 * `links.next` only on a full page (it may lead to an empty one) keeping every filter, with the
 * continuation token of the page's last event.
 */
export function feedPage(sandbox: Altinn3Sandbox, to: string, query: Record<string, unknown>): FeedPage {
  const errors: ValidationErrors = {};
  const one = (name: string): string | undefined => {
    const v = query[name];
    return Array.isArray(v) ? (v.length === 1 ? String(v[0]) : undefined) : typeof v === 'string' ? v : undefined;
  };
  const tokenText = one('continuationToken');
  const afterSeq = tokenText === undefined ? 0 : sandbox.seqOfToken(tokenText);
  if (afterSeq === undefined) errors.continuationToken = ['Invalid continuation token.'];
  const createdAfter = dateParam(one('createdAfter'), 'createdAfter', errors);
  const createdBefore = dateParam(one('createdBefore'), 'createdBefore', errors);
  if (createdAfter !== undefined && createdBefore !== undefined && createdAfter >= createdBefore) errors.createdAfter = ['createdAfter must be before createdBefore.'];
  const rawTypes = query.eventType === undefined ? [] : Array.isArray(query.eventType) ? query.eventType : [query.eventType];
  const types = rawTypes.map((t) => String(t).toLowerCase());
  if (types.some((t) => !(FEED_EVENT_TYPES as readonly string[]).includes(t))) errors.eventType = [`eventType must be one of ${FEED_EVENT_TYPES.join(', ')}.`];
  const requestId = one('consentRequestId');
  if (query.consentRequestId !== undefined && !(requestId && UUID_RE.test(requestId))) errors.consentRequestId = ['consentRequestId must be a UUID.'];
  if (Object.keys(errors).length > 0) return { errors };

  const matches = (e: FeedEntry) =>
    e.seq > (afterSeq ?? 0) &&
    (types.length === 0 || types.includes(e.eventType)) &&
    (createdAfter === undefined || e.changedDate > createdAfter) &&
    (createdBefore === undefined || e.changedDate < createdBefore) &&
    (requestId === undefined || e.consentRequestId === requestId.toLowerCase());
  const page = sandbox.feedFor(to).filter(matches).slice(0, sandbox.pageSize);

  const links: { next?: string } = {};
  if (page.length === sandbox.pageSize) {
    const next = new URL(`${sandbox.baseUrl}${CONSENT_EVENTS_PATH}`);
    for (const [name, value] of Object.entries(query)) {
      if (name === 'continuationToken') continue;
      for (const v of Array.isArray(value) ? value : [value]) next.searchParams.append(name, String(v));
    }
    next.searchParams.set('continuationToken', page[page.length - 1].token);
    links.next = next.toString();
  }
  return {
    body: {
      links,
      data: page.map((e) => ({ consentRequestId: e.consentRequestId, eventType: e.eventType, changedDate: new Date(e.changedDate).toISOString() })),
    },
  };
}

function dateParam(text: string | undefined, name: string, errors: ValidationErrors): number | undefined {
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) {
    errors[name] = [`${name} must be a date-time.`];
    return undefined;
  }
  return ms;
}
