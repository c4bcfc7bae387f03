const BASE_MS = 1000;
const CAP_MS = 5 * 60_000;

/** Exponential backoff with jitter (between half and the full step) for revocation deliveries. */
export function nextRetryDelayMs(attempts: number, random: () => number = Math.random): number {
  const step = Math.min(CAP_MS, BASE_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(step / 2 + (random() * step) / 2);
}

export function firstRetryAt(now = Date.now()): Date {
  return new Date(now + nextRetryDelayMs(1));
}
