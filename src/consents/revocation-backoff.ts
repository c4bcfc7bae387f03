const BASE_MS = 1000;
const CAP_MS = 5 * 60_000;
const HOUR_MS = 3_600_000;

/** Exponential backoff with jitter (between half and the full step) for revocation deliveries. */
export function nextRetryDelayMs(attempts: number, random: () => number = Math.random): number {
  const step = Math.min(CAP_MS, BASE_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(step / 2 + (random() * step) / 2);
}

export function firstRetryAt(now = Date.now()): Date {
  return new Date(now + nextRetryDelayMs(1));
}

/** `<provider>_rejected` (refused for good, e.g. `nogi_rejected`) or `gave_up`. */
export type RevocationFailure = `${string}_rejected` | 'gave_up';

/**
 * Whether a failed delivery ends the retries (contract: a revocation NoGi refuses for good, or that
 * has failed for REVOCATION_GIVE_UP_HOURS, is recorded as failed), or null to try again. `code` is
 * the failure's lower_snake problem code: `nogi_rejected` is a 4xx other than 403 `invalid consent`
 * (which counts as delivered); outages, timeouts and our own errors are retried until the hours pass.
 */
export function revocationFailure(code: string, provider: string, queuedAt: Date, now: number, giveUpHours: number): RevocationFailure | null {
  // The provider refused for good (a 4xx other than "already invalid"): retrying cannot help.
  if (code === `${provider}_rejected`) return `${provider}_rejected`;
  return now - queuedAt.getTime() >= giveUpHours * HOUR_MS ? 'gave_up' : null;
}
