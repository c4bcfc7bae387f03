import { nextRetryDelayMs, revocationFailure } from './revocation-backoff';

describe('revocation retry policy', () => {
  const queuedAt = new Date('2026-01-01T00:00:00Z');
  const hoursLater = (h: number) => queuedAt.getTime() + h * 3_600_000;

  it('backs off exponentially up to five minutes, with jitter between half and the full step', () => {
    expect(nextRetryDelayMs(1, () => 0)).toBe(500);
    expect(nextRetryDelayMs(3, () => 1)).toBe(4000);
    expect(nextRetryDelayMs(30, () => 1)).toBe(300_000);
  });

  it('gives up at once when NoGi refused the revocation for good', () => {
    expect(revocationFailure('nogi_rejected', 'nogi', queuedAt, hoursLater(0), 72)).toBe('nogi_rejected');
  });

  it('retries outages and timeouts until REVOCATION_GIVE_UP_HOURS have passed since the revocation was queued', () => {
    for (const code of ['nogi_unavailable', 'nogi_timeout', 'nogi_bad_response', 'internal_error']) {
      expect(revocationFailure(code, 'nogi', queuedAt, hoursLater(71.9), 72)).toBeNull();
      expect(revocationFailure(code, 'nogi', queuedAt, hoursLater(72), 72)).toBe('gave_up');
    }
    expect(revocationFailure('nogi_unavailable', 'nogi', queuedAt, hoursLater(2), 1)).toBe('gave_up');
  });
});
