/**
 * Strict parsing of NoGi's Consents Feed responses (`SamtykkeFeedResponseDTO`). Sequence numbers are
 * int64: they stay `bigint` from the wire onwards, never a JS number.
 */

export const FEED_EVENT_TYPES = ['SAMTYKKE_OPPRETTET', 'SAMTYKKE_ARKIVERT'] as const;
export type FeedEventType = (typeof FEED_EVENT_TYPES)[number];

export interface FeedEvent {
  sequenceNr: bigint;
  eventId: string;
  /** The top-level consentId: the nested one in archived events is unreliable upstream. */
  consentId: string;
  /** Millisecond precision, for storage. */
  timestamp: Date;
  /** Nanoseconds since the epoch, for ordering (NoGi writes nanosecond timestamps). */
  timestampNs: bigint;
  eventType: FeedEventType;
  /** Only on SAMTYKKE_OPPRETTET. */
  created?: {
    /** Base scope, a `.N` duration suffix stripped (events before 2024-05-22 carried one). */
    scope: string;
    /** The stripped `.N`, when there was one. */
    durationDays: number | null;
    externalConsentId: string | null;
  };
}

/**
 * An event whose eventType NoGi's contract does not name (yet): its envelope is kept so it can be
 * recorded, counted and skipped. Refusing it would stop the feed at that page for good.
 */
export interface UnknownFeedEvent {
  sequenceNr: bigint;
  eventId: string;
  consentId: string;
  timestamp: Date;
  /** NoGi's eventType, reduced to [A-Za-z0-9_] and at most 32 characters (a column and a metric label). */
  eventType: string;
  unknownType: true;
}

export interface FeedPage {
  startSequenceNr: bigint;
  endSequenceNr: bigint;
  /** NoGi's clock when it answered: the clock its 7-day window is measured on. */
  generatedAt: Date;
  events: FeedEvent[];
  /** Events of a type we do not know, to skip. */
  unknown: UnknownFeedEvent[];
}

export class FeedResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeedResponseError';
  }
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INT64_MAX = 9_223_372_036_854_775_807n;
const SEQUENCE_FIELDS = ['sequenceNr', 'startSequenceNr', 'endSequenceNr', 'firstSequenceNr', 'lastSequenceNr'];

/**
 * JSON.parse turns integers beyond 2^53 into approximations. Before parsing, the sequence-number
 * fields are turned into strings so their digits survive (Node 20 has no JSON.parse source access).
 */
export function parseFeedJson(text: string): unknown {
  const re = new RegExp(`("(?:${SEQUENCE_FIELDS.join('|')})"\\s*:\\s*)(-?\\d+)(?=\\s*[,}\\]])`, 'g');
  try {
    return JSON.parse(text.replace(re, '$1"$2"'));
  } catch {
    throw new FeedResponseError('body is not JSON');
  }
}

/** An int64 ≥ min, given as a JSON integer or a string of digits (precision kept either way). */
export function parseSequenceNr(value: unknown, field: string, min = 1n): bigint {
  let n: bigint;
  if (typeof value === 'string' && /^-?\d{1,19}$/.test(value)) n = BigInt(value);
  else if (typeof value === 'number' && Number.isSafeInteger(value)) n = BigInt(value);
  else throw new FeedResponseError(`${field} is not an int64`);
  if (n < min || n > INT64_MAX) throw new FeedResponseError(`${field} is out of range`);
  return n;
}

/** Base scope and the `.N` duration suffix, if any: `debt.unsecured.presentation.100` → (…presentation, 100). */
export function splitScope(scope: string): { scope: string; durationDays: number | null } {
  const m = /^(.+?)\.(\d{1,4})$/.exec(scope);
  return m ? { scope: m[1], durationDays: Number(m[2]) } : { scope, durationDays: null };
}

/**
 * ISO-8601 date-time (any fraction length, Z or offset) → epoch nanoseconds. Before 2024-05-22
 * NoGi wrote epoch seconds as floats; those are accepted too.
 */
export function parseTimestampNs(value: unknown, field: string): bigint {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return BigInt(Math.round(value * 1e6)) * 1000n;
  if (typeof value !== 'string') throw new FeedResponseError(`${field} is not a date-time`);
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/i.exec(value);
  if (!m) throw new FeedResponseError(`${field} is not a date-time`);
  const seconds = Date.parse(`${m[1]}${m[3].toUpperCase()}`);
  if (Number.isNaN(seconds)) throw new FeedResponseError(`${field} is not a date-time`);
  return BigInt(seconds) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function uuid(value: unknown, field: string): string {
  if (typeof value !== 'string' || !UUID_RE.test(value)) throw new FeedResponseError(`${field} is not a UUID`);
  return value.toLowerCase();
}

function isKnownType(eventType: string): eventType is FeedEventType {
  return (FEED_EVENT_TYPES as readonly string[]).includes(eventType);
}

/** A known event, or the envelope of one whose type is new to us (every envelope field is required). */
export function parseFeedEvent(raw: unknown, index: number): FeedEvent | UnknownFeedEvent {
  const at = `result[${index}]`;
  if (!isObject(raw)) throw new FeedResponseError(`${at} is not an object`);
  const eventType = raw.eventType;
  if (typeof eventType !== 'string' || eventType.length === 0) throw new FeedResponseError(`${at}.eventType is not a string`);
  const timestampNs = parseTimestampNs(raw.timestamp, `${at}.timestamp`);
  const envelope = {
    sequenceNr: parseSequenceNr(raw.sequenceNr, `${at}.sequenceNr`),
    eventId: uuid(raw.eventId, `${at}.eventId`),
    consentId: uuid(raw.consentId, `${at}.consentId`),
    timestamp: new Date(Number(timestampNs / 1_000_000n)),
  };
  if (!isKnownType(eventType)) return { ...envelope, eventType: eventType.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 32), unknownType: true };
  const event: FeedEvent = { ...envelope, timestampNs, eventType };
  if (event.eventType === 'SAMTYKKE_OPPRETTET') {
    const payload = raw.samtykkeOpprettetEvent;
    if (!isObject(payload)) throw new FeedResponseError(`${at}.samtykkeOpprettetEvent is missing`);
    if (typeof payload.scope !== 'string' || payload.scope.length === 0 || payload.scope.length > 200) throw new FeedResponseError(`${at}.samtykkeOpprettetEvent.scope is not a string`);
    const external = payload.externalConsentId;
    if (external !== undefined && external !== null && (typeof external !== 'string' || external.length === 0 || external.length > 255)) {
      throw new FeedResponseError(`${at}.samtykkeOpprettetEvent.externalConsentId is not a string`);
    }
    event.created = { ...splitScope(payload.scope), externalConsentId: typeof external === 'string' ? external : null };
  }
  // An archived event's nested payload is not used (its consentId is not to be trusted) and is
  // nullable in NoGi's schema: one without it is still an archive of the top-level consentId, and
  // refusing it would stop the feed at that page for good.
  return event;
}

/**
 * A page asked for with `fromSequenceNr`: every event must be at or after it (the parameter is
 * inclusive), or paging could loop. An empty page has `endSequenceNr = fromSequenceNr − 1`.
 */
export function parseFeedPage(body: unknown, fromSequenceNr: bigint): FeedPage {
  if (!isObject(body)) throw new FeedResponseError('body is not an object');
  if (!Array.isArray(body.result)) throw new FeedResponseError('result is not an array');
  const generatedAt = new Date(Number(parseTimestampNs(body.generatedAt, 'generatedAt') / 1_000_000n));
  const parsed = body.result.map((raw, i) => parseFeedEvent(raw, i));
  const ids = new Set<string>();
  for (const e of parsed) {
    if (e.sequenceNr < fromSequenceNr) throw new FeedResponseError('an event precedes fromSequenceNr');
    if (ids.has(e.eventId)) throw new FeedResponseError('an eventId appears twice in one page');
    ids.add(e.eventId);
  }
  const events = parsed.filter((e): e is FeedEvent => !('unknownType' in e));
  const unknown = parsed.filter((e): e is UnknownFeedEvent => 'unknownType' in e);
  return {
    // NoGi's empty page may say 0 here when fromSequenceNr is 1; the numbers are only informative.
    startSequenceNr: parseSequenceNr(body.startSequenceNr, 'startSequenceNr', 0n),
    endSequenceNr: parseSequenceNr(body.endSequenceNr, 'endSequenceNr', 0n),
    generatedAt,
    events,
    unknown,
  };
}

/** `{firstSequenceNr: int64}` or `{lastSequenceNr: int64}`; 0 is allowed (an empty feed). */
export function parseSequenceNrBody(body: unknown, field: 'firstSequenceNr' | 'lastSequenceNr'): bigint {
  if (!isObject(body)) throw new FeedResponseError('body is not an object');
  return parseSequenceNr(body[field], field, 0n);
}
