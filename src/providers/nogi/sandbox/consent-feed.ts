import { randomInt, randomUUID } from 'node:crypto';
import type { FeedEvent, FeedEventType, SandboxConsent } from './nogi-sandbox.types';
import { isoNanos } from './sandbox-format';

export const FEED_WINDOW_MS = 7 * 24 * 3_600_000;

/** The Consents Feed's events: numbered with gaps, not strictly time-ordered, kept for a window. */
export class ConsentFeed {
  private events: FeedEvent[] = [];
  // Never 1, so an empty page's endSequenceNr (fromSequenceNr − 1, floored at 1) never hides an event.
  private lastSequenceNr = randomInt(1, 100);
  private lastSeqByClient = new Map<string, number>();

  emit(c: SandboxConsent, type: FeedEventType | string, at: number): void {
    // Non-contiguous: random gaps, as if other clients' events were interleaved.
    this.lastSequenceNr += randomInt(1, 5);
    let timestampMs = at;
    const prev = this.events[this.events.length - 1];
    // Not time-ordered: now and then an event carries a timestamp slightly before its predecessor.
    if (prev && type === 'SAMTYKKE_OPPRETTET' && randomInt(0, 5) === 0) timestampMs = Math.min(at, prev.timestampMs - randomInt(1, 1500));
    this.events.push({
      sequenceNr: this.lastSequenceNr,
      eventId: randomUUID(),
      consentId: c.id,
      clientId: c.clientId,
      eventType: type,
      timestampMs,
      timestamp: isoNanos(timestampMs),
      scope: c.scope,
      externalConsentId: c.externalConsentId,
    });
    this.lastSeqByClient.set(c.clientId, this.lastSequenceNr);
    if (type === 'SAMTYKKE_ARKIVERT') c.archivedEventEmitted = true;
  }

  /** Drops events stamped before `cutoffMs`; returns how many. */
  prune(cutoffMs: number): number {
    const before = this.events.length;
    this.events = this.events.filter((e) => e.timestampMs >= cutoffMs);
    return before - this.events.length;
  }

  eventsOf(clientId: string): FeedEvent[] {
    return this.events.filter((e) => e.clientId === clientId);
  }

  /** Highest sequence number ever given to this client's events, 0 before the first. */
  lastSequenceNrFor(clientId: string): number {
    return this.lastSeqByClient.get(clientId) ?? 0;
  }

  /** Oldest sequence number still in the window; lastSequenceNr + 1 when the window is empty. */
  firstSequenceNrFor(clientId: string): number {
    const ev = this.eventsOf(clientId);
    return ev.length > 0 ? Math.min(...ev.map((e) => e.sequenceNr)) : this.lastSequenceNrFor(clientId) + 1;
  }

  clear(): void {
    this.events = [];
    this.lastSeqByClient.clear();
  }
}
