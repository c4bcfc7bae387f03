import { UpstreamResponse, UpstreamTransportError } from './upstream';

const MAX_ATTEMPTS = 3;
const BASE_DELAY_MS = 100;

/** Worth another try for an idempotent call: no answer at all, or the upstream overloaded/failing. */
export function isTransient(outcome: UpstreamResponse | unknown): boolean {
  if (outcome instanceof UpstreamTransportError) return true;
  const status = (outcome as UpstreamResponse | undefined)?.status;
  return typeof status === 'number' && (status >= 500 || status === 429);
}

/**
 * Runs an IDEMPOTENT upstream call (GET, DELETE, an idempotent PUT) up to three times with
 * full-jitter exponential backoff, while the whole stays within one timeout budget (the upstream's
 * timeout): a caller never waits much longer for several attempts than for one. Returns the last
 * response, or throws the last transport error; non-transient answers are returned at once.
 */
export async function retryIdempotent(budgetMs: number, call: () => Promise<UpstreamResponse>, onRetry: () => void = () => undefined): Promise<UpstreamResponse> {
  const deadline = Date.now() + budgetMs;
  for (let attempt = 1; ; attempt++) {
    let outcome: UpstreamResponse | unknown;
    let failed = false;
    try {
      outcome = await call();
    } catch (error) {
      if (!(error instanceof UpstreamTransportError) || error.kind === 'timeout') throw error;
      outcome = error;
      failed = true;
    }
    const delay = Math.random() * BASE_DELAY_MS * 2 ** (attempt - 1);
    if (attempt >= MAX_ATTEMPTS || !isTransient(outcome) || Date.now() + delay >= deadline) {
      if (failed) throw outcome;
      return outcome as UpstreamResponse;
    }
    onRetry();
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
