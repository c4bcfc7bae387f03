import { AppError } from '../../common/problem';
import { NogiResponse, NogiTransportError } from './nogi-http.client';

const MAX_ATTEMPTS = 3;
const BASE_DELAY_MS = 100;

/** Worth another try for an idempotent call: no answer at all, or NoGi overloaded/failing. */
export function isTransient(outcome: NogiResponse | unknown): boolean {
  if (outcome instanceof NogiTransportError) return true;
  const status = (outcome as NogiResponse | undefined)?.status;
  return typeof status === 'number' && (status >= 500 || status === 429);
}

/**
 * Runs an IDEMPOTENT NoGi call (GET, DELETE, the agreement PUT) up to three times with full-jitter
 * exponential backoff, while the whole stays within one timeout budget (NOGI_TIMEOUT_MS): a caller
 * never waits much longer for several attempts than for one. Returns the last response, or throws
 * the last transport error; non-transient answers are returned at once.
 */
export async function retryIdempotent(budgetMs: number, call: () => Promise<NogiResponse>, onRetry: () => void = () => undefined): Promise<NogiResponse> {
  const deadline = Date.now() + budgetMs;
  for (let attempt = 1; ; attempt++) {
    let outcome: NogiResponse | unknown;
    let failed = false;
    try {
      outcome = await call();
    } catch (error) {
      if (!(error instanceof NogiTransportError) || error.kind === 'timeout') throw error;
      outcome = error;
      failed = true;
    }
    const delay = Math.random() * BASE_DELAY_MS * 2 ** (attempt - 1);
    if (attempt >= MAX_ATTEMPTS || !isTransient(outcome) || Date.now() + delay >= deadline) {
      if (failed) throw outcome;
      return outcome as NogiResponse;
    }
    onRetry();
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/** The NoGi consent id goes into a path: refuse anything that could change the path or query. */
export function assertSafeNogiId(id: string): string {
  if (typeof id !== 'string' || !/^[A-Za-z0-9._~-]{1,128}$/.test(id) || id.includes('..')) {
    throw new AppError('NOGI_BAD_RESPONSE', 'A NoGi consent id has an unexpected form.');
  }
  return encodeURIComponent(id);
}
