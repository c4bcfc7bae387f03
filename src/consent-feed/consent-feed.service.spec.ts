import { isGap, STALE_SYNC_MS, statusAfterRecheck } from './consent-feed.service';

describe('feed gap and status re-check decisions', () => {
  const now = Date.parse('2026-03-10T12:00:00Z');

  it('sees a gap only when the last successful sync is older than 6 days on NoGi’s clock', () => {
    expect(isGap(new Date(now - STALE_SYNC_MS - 1), new Date(now))).toBe(true);
    expect(isGap(new Date(now - STALE_SYNC_MS), new Date(now))).toBe(false);
    expect(isGap(new Date(now - 60_000), new Date(now))).toBe(false);
    // A run that never finished leaves no success behind: nothing to measure from.
    expect(isGap(null, new Date(now))).toBe(false);
  });

  it('ends a consent NoGi no longer holds active: expired once its time passed, archived otherwise', () => {
    const extended = { durationDays: 90, lastUsedAt: new Date(now - 1000) };
    expect(statusAfterRecheck({ active: true, expiresAt: new Date(now + 1000) }, extended, now)).toBeNull();
    expect(statusAfterRecheck({ active: false, expiresAt: new Date(now - 1000) }, extended, now)).toBe('expired');
    expect(statusAfterRecheck({ active: false, expiresAt: new Date(now + 86_400_000) }, extended, now)).toBe('archived');
    // expires_at 0: NoGi does not know the consent.
    expect(statusAfterRecheck({ active: false, expiresAt: new Date(0) }, extended, now)).toBe('archived');
  });

  it('ends a used one-time consent as expired, not archived, whatever expiry NoGi gives', () => {
    const used = { durationDays: null, lastUsedAt: new Date(now - 60_000) };
    expect(statusAfterRecheck({ active: false, expiresAt: new Date(now + 540_000) }, used, now)).toBe('expired');
    expect(statusAfterRecheck({ active: false, expiresAt: new Date(0) }, used, now)).toBe('expired');
    expect(statusAfterRecheck({ active: false, expiresAt: new Date(now + 540_000) }, { durationDays: null, lastUsedAt: null }, now)).toBe('archived');
  });
});
