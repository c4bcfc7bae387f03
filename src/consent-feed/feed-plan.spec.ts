import { randomUUID } from 'node:crypto';
import type { FeedEvent } from '../providers/nogi/nogi-feed.client';
import { endedStatus, FeedConsent, planFeedPage, UNKNOWN_SCOPE } from './feed-plan';

const NOGI_ID = 'c8ff2ad5-4140-481d-a7cd-6c7deee7203c';
const T0 = Date.parse('2026-03-02T10:00:00Z');

let seq = 100n;
function event(type: FeedEvent['eventType'], atMs: number, over: Partial<FeedEvent> = {}): FeedEvent {
  seq += 3n;
  return {
    sequenceNr: seq,
    eventId: randomUUID(),
    consentId: NOGI_ID,
    timestamp: new Date(atMs),
    timestampNs: BigInt(atMs) * 1_000_000n,
    eventType: type,
    ...(type === 'SAMTYKKE_OPPRETTET' ? { created: { scope: 'debt.unsecured.processing', durationDays: null, externalConsentId: 'bank-ref-1' } } : {}),
    ...over,
  };
}

function ours(over: Partial<FeedConsent> = {}): FeedConsent {
  return {
    id: 'a0000000-0000-4000-8000-000000000001',
    providerConsentId: NOGI_ID,
    clientConsentId: null,
    purpose: 'presentation',
    scope: 'debt.unsecured.presentation',
    durationDays: 90,
    source: 'flow',
    status: 'active',
    expiresAt: new Date(T0 + 90 * 86_400_000),
    revokedAt: null,
    lastEventAt: null,
    lastUsedAt: null,
    ...over,
  };
}

const plan = (events: FeedEvent[], known: FeedConsent[] = [], taken: string[] = []) =>
  planFeedPage({ events, known: new Map(known.map((c) => [c.providerConsentId, c])), takenClientConsentIds: new Set(taken), newId: () => 'b0000000-0000-4000-8000-000000000002' });

describe('applying a page of the consent feed', () => {
  it('marks an active consent archived when the customer archived it at NoGi, with revokedAt and an audit record', () => {
    const archivedAt = T0 + 60_000;
    const p = plan([event('SAMTYKKE_ARKIVERT', archivedAt)], [ours()]);
    expect(p.updates).toEqual([expect.objectContaining({ status: 'archived', revokedAt: new Date(archivedAt), lastEventAt: new Date(archivedAt) })]);
    expect(p.audits).toEqual([expect.objectContaining({ action: 'consent.archived', consentId: ours().id, detail: expect.objectContaining({ from: 'active', to: 'archived' }) })]);
    expect(p.inserts).toEqual([]);
  });

  it('records revoked, not archived, when we were revoking or had revoked it ourselves', () => {
    expect(plan([event('SAMTYKKE_ARKIVERT', T0)], [ours({ status: 'revoking' })]).updates[0]).toMatchObject({ status: 'revoked', revokedAt: new Date(T0) });
    const revokedAt = new Date(T0 - 1000);
    const p = plan([event('SAMTYKKE_ARKIVERT', T0)], [ours({ status: 'revoked', revokedAt })]);
    expect(p.updates[0]).toMatchObject({ status: 'revoked', revokedAt });
    expect(p.audits).toEqual([]);
  });

  it('records expired when the archive comes at or after the consent expiry', () => {
    const expiresAt = new Date(T0);
    // NoGi's exp is whole seconds; the archive event carries the exact instant.
    expect(plan([event('SAMTYKKE_ARKIVERT', T0 + 400)], [ours({ expiresAt })]).updates[0]).toMatchObject({ status: 'expired', revokedAt: null });
    expect(endedStatus(ours({ expiresAt }), new Date(T0 - 60_000))).toBe('archived');
    expect(endedStatus(ours({ status: 'expired', expiresAt }), new Date(T0 + 60_000))).toBe('expired');
  });

  it('records expired, not archived, when a used one-time consent is archived before its expiry', () => {
    const oneTime = ours({ durationDays: null, expiresAt: new Date(T0 + 600_000), lastUsedAt: new Date(T0 - 1000) });
    const p = plan([event('SAMTYKKE_ARKIVERT', T0)], [oneTime]);
    expect(p.updates[0]).toMatchObject({ status: 'expired', revokedAt: null });
    expect(p.audits.map((a) => a.action)).toEqual(['consent.expired']);
    // Not used yet: the customer withdrew it.
    expect(endedStatus({ ...oneTime, lastUsedAt: null }, new Date(T0))).toBe('archived');
    // Learnt from the feed (no known duration, no expiry) and used by us.
    expect(endedStatus(ours({ source: 'external', durationDays: null, expiresAt: null, lastUsedAt: new Date(T0) }), new Date(T0))).toBe('expired');
  });

  it('learns a consent created outside our flows as external, with its reference, purpose from the base scope and no customer', () => {
    const p = plan([event('SAMTYKKE_OPPRETTET', T0)]);
    expect(p.inserts).toEqual([
      expect.objectContaining({ source: 'external', status: 'active', clientConsentId: 'bank-ref-1', purpose: 'processing', scope: 'debt.unsecured.processing', lastEventAt: new Date(T0) }),
    ]);
    expect(p.audits.map((a) => a.action)).toEqual(['consent.learnt_from_feed']);
  });

  it('does not reuse a client consent id another consent holds (the column is unique)', () => {
    const p = plan([event('SAMTYKKE_OPPRETTET', T0)], [], ['bank-ref-1']);
    expect(p.inserts[0].clientConsentId).toBeNull();
  });

  it('takes the duration from an old-style scope suffix', () => {
    const p = plan([event('SAMTYKKE_OPPRETTET', T0, { created: { scope: 'debt.unsecured.presentation', durationDays: 100, externalConsentId: null } })]);
    expect(p.inserts[0]).toMatchObject({ purpose: 'presentation', durationDays: 100, expiresAt: new Date(T0 + 100 * 86_400_000) });
  });

  it('records an archived event for a consent it never saw, so nothing NoGi says is lost', () => {
    const p = plan([event('SAMTYKKE_ARKIVERT', T0)]);
    expect(p.inserts).toEqual([expect.objectContaining({ source: 'external', status: 'archived', scope: UNKNOWN_SCOPE, revokedAt: new Date(T0) })]);
  });

  it('orders a consent’s events by timestamp, not by sequence number: archived delivered before created still ends archived', () => {
    const archived = event('SAMTYKKE_ARKIVERT', T0 + 5_000, { sequenceNr: 10n });
    const created = event('SAMTYKKE_OPPRETTET', T0, { sequenceNr: 20n });
    const p = plan([archived, created]);
    expect(p.inserts).toEqual([expect.objectContaining({ status: 'archived', scope: 'debt.unsecured.processing', clientConsentId: 'bank-ref-1', lastEventAt: new Date(T0 + 5_000) })]);
    expect(p.audits.map((a) => a.action)).toEqual(['consent.learnt_from_feed', 'consent.archived']);
  });

  it('applies a created event on a later page that is older than the archive only to fill in what was missing', () => {
    const first = plan([event('SAMTYKKE_ARKIVERT', T0 + 5_000)]).inserts[0];
    const p = plan([event('SAMTYKKE_OPPRETTET', T0)], [first]);
    expect(p.updates).toEqual([expect.objectContaining({ status: 'archived', scope: 'debt.unsecured.processing', purpose: 'processing', lastEventAt: new Date(T0 + 5_000) })]);
    expect(p.audits).toEqual([]);
  });

  it('ignores an event older than the last one applied to the consent', () => {
    const p = plan([event('SAMTYKKE_ARKIVERT', T0)], [ours({ lastEventAt: new Date(T0 + 1) })]);
    expect(p.updates).toEqual([]);
    expect(p.unchanged).toBe(1);
  });

  it('puts created before archived when both carry the same instant', () => {
    const p = plan([event('SAMTYKKE_ARKIVERT', T0, { sequenceNr: 5n }), event('SAMTYKKE_OPPRETTET', T0, { sequenceNr: 9n })]);
    expect(p.inserts[0].status).toBe('archived');
  });

  it('only notes the event time for a created event of a consent we made ourselves', () => {
    const p = plan([event('SAMTYKKE_OPPRETTET', T0)], [ours({ clientConsentId: null })]);
    expect(p.updates).toEqual([expect.objectContaining({ status: 'active', source: 'flow', clientConsentId: null, lastEventAt: new Date(T0) })]);
    expect(p.audits).toEqual([]);
  });
});
