import type { AuditAction } from '../audit/audit.service';
import type { ConsentPurpose, ConsentSource, ConsentStatus } from '../database/entities/consent.entity';
import type { FeedEvent } from '../providers/nogi/nogi-feed.client';

/** A consent as the feed sees it: what it may read and change. */
export interface FeedConsent {
  id: string;
  providerConsentId: string;
  clientConsentId: string | null;
  purpose: ConsentPurpose;
  scope: string;
  durationDays: number | null;
  source: ConsentSource;
  status: ConsentStatus;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastEventAt: Date | null;
  /** Read only (debt reads write it): tells a used one-time consent. */
  lastUsedAt: Date | null;
}

export interface FeedAudit {
  action: AuditAction;
  consentId: string;
  detail: Record<string, string | number | boolean | null>;
}

export interface FeedPlan {
  /** Consents to insert (learnt from the feed), in their final state after the page. */
  inserts: FeedConsent[];
  /** Known consents whose row changes, in their final state after the page. */
  updates: FeedConsent[];
  audits: FeedAudit[];
  /** Events that changed nothing (older than the consent's last applied event, or nothing to do). */
  unchanged: number;
}

/**
 * An archived event for a consent whose created event we never saw (it left the 7-day window, or
 * comes later in the feed): NoGi's archived event names no scope. The row is kept (nothing NoGi
 * says is lost) with this placeholder until a created event fills it in.
 */
export const UNKNOWN_SCOPE = 'unknown';
const DAY_MS = 24 * 3_600_000;
/** Our expires_at comes from NoGi's whole-second `exp`; an archive event at the expiry instant may carry a later fraction. */
const EXPIRY_TOLERANCE_MS = 1000;

const TYPE_RANK: Record<FeedEvent['eventType'], number> = { SAMTYKKE_OPPRETTET: 0, SAMTYKKE_ARKIVERT: 1 };

/** Feed order that matters: by timestamp (sequence numbers are not time-ordered); created before archived on a tie. */
export function compareEvents(a: FeedEvent, b: FeedEvent): number {
  if (a.timestampNs !== b.timestampNs) return a.timestampNs < b.timestampNs ? -1 : 1;
  if (a.eventType !== b.eventType) return TYPE_RANK[a.eventType] - TYPE_RANK[b.eventType];
  return a.sequenceNr < b.sequenceNr ? -1 : a.sequenceNr > b.sequenceNr ? 1 : 0;
}

/** `debt.unsecured.presentation` → presentation; undefined for a scope we do not know. */
export function purposeOfScope(scope: string): ConsentPurpose | undefined {
  const last = scope.split('.').pop();
  return last === 'presentation' || last === 'processing' ? last : undefined;
}

/**
 * NoGi's default consent (no duration: one collection within 10 minutes) after its collection: it
 * ended by use, not by anyone's hand. A consent learnt from the feed has no known duration (events
 * carry the base scope); once we used it, it is taken as one-time too: NoGi's answers do not tell
 * the two apart, and the contract counts a used one-time consent as expired.
 */
export function isUsedOneTime(consent: { durationDays: number | null; lastUsedAt: Date | null }): boolean {
  return consent.durationDays === null && consent.lastUsedAt !== null;
}

/**
 * The status an ended consent takes (contract, Dataset debt "Feed"): revoked when we were revoking
 * it, expired when its time had passed or it was a used one-time consent, else archived.
 */
export function endedStatus(consent: Pick<FeedConsent, 'status' | 'expiresAt' | 'durationDays' | 'lastUsedAt'>, at: Date): ConsentStatus {
  const current = consent.status;
  if (current === 'revoking' || current === 'revoked') return 'revoked';
  if (current === 'expired' || current === 'archived') return current;
  if (isUsedOneTime(consent)) return 'expired';
  if (consent.expiresAt && consent.expiresAt.getTime() <= at.getTime() + EXPIRY_TOLERANCE_MS) return 'expired';
  return 'archived';
}

const AUDIT_OF: Partial<Record<ConsentStatus, AuditAction>> = { archived: 'consent.archived', expired: 'consent.expired', revoked: 'consent.revoked' };

export interface PlanInput {
  /** Events not applied before (their eventId was new), in any order. */
  events: FeedEvent[];
  /** Our consents these events name, by NoGi consent id. */
  known: ReadonlyMap<string, FeedConsent>;
  /** client_consent_id values already held by another consent (the column is unique). */
  takenClientConsentIds: ReadonlySet<string>;
  newId: () => string;
}

/**
 * Applies one page of new events to the consents they name, per consent in timestamp order, and
 * says what to write. Pure: the repository reads the inputs and writes the plan in one transaction.
 */
export function planFeedPage(input: PlanInput): FeedPlan {
  const state = new Map<string, FeedConsent>();
  const inserted = new Set<string>();
  const changed = new Set<string>();
  const taken = new Set(input.takenClientConsentIds);
  const audits: FeedAudit[] = [];
  let unchanged = 0;

  for (const event of [...input.events].sort(compareEvents)) {
    const key = event.consentId;
    const current = state.get(key) ?? input.known.get(key);
    const detail = { eventId: event.eventId, sequenceNr: event.sequenceNr.toString(), eventType: event.eventType };

    if (!current) {
      const learnt = learn(event, taken, input.newId());
      state.set(key, learnt);
      inserted.add(key);
      audits.push({ action: 'consent.learnt_from_feed', consentId: learnt.id, detail: { ...detail, status: learnt.status } });
      continue;
    }

    const next: FeedConsent = { ...current };
    if (event.created) fillIn(next, event, taken);
    // Older than the event last applied to this consent: only descriptive facts still missing are taken from it.
    const stale = current.lastEventAt !== null && event.timestamp.getTime() < current.lastEventAt.getTime();
    if (!stale) {
      next.lastEventAt = event.timestamp;
      if (event.eventType === 'SAMTYKKE_ARKIVERT') {
        const to = endedStatus(current, event.timestamp);
        if (to !== current.status) {
          next.status = to;
          if (to !== 'expired') next.revokedAt ??= event.timestamp;
          audits.push({ action: AUDIT_OF[to]!, consentId: current.id, detail: { ...detail, from: current.status, to } });
        }
      }
    }
    if (same(current, next)) {
      unchanged++;
      continue;
    }
    state.set(key, next);
    changed.add(key);
  }

  const inserts = [...inserted].map((k) => state.get(k)!);
  const updates = [...changed].filter((k) => !inserted.has(k)).map((k) => state.get(k)!);
  return { inserts, updates, audits, unchanged };
}

function learn(event: FeedEvent, taken: Set<string>, id: string): FeedConsent {
  const consent: FeedConsent = {
    id,
    providerConsentId: event.consentId,
    clientConsentId: null,
    purpose: 'presentation',
    scope: UNKNOWN_SCOPE,
    durationDays: null,
    source: 'external',
    status: event.eventType === 'SAMTYKKE_ARKIVERT' ? 'archived' : 'active',
    expiresAt: null,
    revokedAt: event.eventType === 'SAMTYKKE_ARKIVERT' ? event.timestamp : null,
    lastEventAt: event.timestamp,
    lastUsedAt: null,
  };
  fillIn(consent, event, taken);
  return consent;
}

/** Takes scope, purpose, duration and the client's reference from a created event where ours has none. */
function fillIn(consent: FeedConsent, event: FeedEvent, taken: Set<string>): void {
  const created = event.created;
  if (!created) return;
  const purpose = purposeOfScope(created.scope);
  if (consent.scope === UNKNOWN_SCOPE && purpose) {
    consent.scope = created.scope;
    consent.purpose = purpose;
  }
  if (consent.durationDays === null && created.durationDays !== null) {
    consent.durationDays = created.durationDays;
    consent.expiresAt ??= new Date(event.timestamp.getTime() + created.durationDays * DAY_MS);
  }
  const ref = created.externalConsentId;
  if (consent.source === 'external' && consent.clientConsentId === null && ref !== null && !taken.has(ref)) {
    consent.clientConsentId = ref;
    taken.add(ref);
  }
}

function same(a: FeedConsent, b: FeedConsent): boolean {
  return (
    a.status === b.status &&
    a.scope === b.scope &&
    a.purpose === b.purpose &&
    a.clientConsentId === b.clientConsentId &&
    a.durationDays === b.durationDays &&
    a.expiresAt?.getTime() === b.expiresAt?.getTime() &&
    a.revokedAt?.getTime() === b.revokedAt?.getTime() &&
    a.lastEventAt?.getTime() === b.lastEventAt?.getTime()
  );
}
