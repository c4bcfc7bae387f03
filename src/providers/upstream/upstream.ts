import { AppError, ProblemCode, UpstreamOutcome } from '../../common/problem';

/** Every upstream we talk to (metric label, log name). */
export type Upstream = 'nogi' | 'altinn' | 'maskinporten' | 'skatteetaten' | 'openbanking';

interface UpstreamProblems {
  /** How problem details and logs name it. */
  label: string;
  unavailable: ProblemCode;
  timeout: ProblemCode;
  badResponse: ProblemCode;
  rejected: ProblemCode;
}

/** The <UPSTREAM>_* problem codes (api.md Conventions); a new upstream adds its codes and a line here. */
const PROBLEMS: { [U in Upstream]: UpstreamProblems } = {
  nogi: { label: 'NoGi', unavailable: 'NOGI_UNAVAILABLE', timeout: 'NOGI_TIMEOUT', badResponse: 'NOGI_BAD_RESPONSE', rejected: 'NOGI_REJECTED' },
  altinn: { label: 'Altinn', unavailable: 'ALTINN_UNAVAILABLE', timeout: 'ALTINN_TIMEOUT', badResponse: 'ALTINN_BAD_RESPONSE', rejected: 'ALTINN_REJECTED' },
  maskinporten: { label: 'Maskinporten', unavailable: 'MASKINPORTEN_UNAVAILABLE', timeout: 'MASKINPORTEN_TIMEOUT', badResponse: 'MASKINPORTEN_BAD_RESPONSE', rejected: 'MASKINPORTEN_REJECTED' },
  skatteetaten: { label: 'Skatteetaten', unavailable: 'SKATTEETATEN_UNAVAILABLE', timeout: 'SKATTEETATEN_TIMEOUT', badResponse: 'SKATTEETATEN_BAD_RESPONSE', rejected: 'SKATTEETATEN_REJECTED' },
  openbanking: { label: 'The partner bank', unavailable: 'OPENBANKING_UNAVAILABLE', timeout: 'OPENBANKING_TIMEOUT', badResponse: 'OPENBANKING_BAD_RESPONSE', rejected: 'OPENBANKING_REJECTED' },
};

export function problemsOf(upstream: Upstream): UpstreamProblems {
  const problems = PROBLEMS[upstream];
  if (!problems) throw new Error(`No problem codes for upstream ${upstream}`);
  return problems;
}

export interface UpstreamRequest {
  /** Metric label and log name, e.g. debt.get, token.client_credentials. */
  operation: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** Sent as X-Trace-ID (NoGi echoes it as trace_id in Debt API errors). */
  traceId?: string;
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON when the body is JSON, else the text (never returned to our callers). */
  body: unknown;
  /** The body as received, for parsers that must keep int64 digits JSON.parse would round (the feed). */
  text?: string;
}

/** The call never produced an HTTP response. `upstream` is what the log line of the problem names. */
export class UpstreamTransportError extends Error {
  readonly upstream: UpstreamOutcome;

  constructor(
    readonly upstreamName: Upstream,
    readonly kind: 'timeout' | 'network',
    readonly operation: string,
    cause: unknown,
  ) {
    super(`${problemsOf(upstreamName).label} ${operation}: ${kind}`, { cause });
    this.name = 'UpstreamTransportError';
    this.upstream = { upstream: upstreamName, operation, failure: kind };
  }
}

/** The upstream answered with a status we cannot use: the cause of the problem we answer, for the log. */
export class UpstreamStatusError extends Error {
  readonly upstream: UpstreamOutcome;

  constructor(
    readonly upstreamName: Upstream,
    readonly operation: string,
    readonly status: number,
  ) {
    super(`${problemsOf(upstreamName).label} ${operation}: HTTP ${status}`);
    this.name = 'UpstreamStatusError';
    this.upstream = { upstream: upstreamName, operation, status };
  }
}

/**
 * The problem our caller sees when a call to an upstream failed: its own failures (no answer, a
 * timeout) become <UPSTREAM>_*. Anything else is ours — Redis or PostgreSQL failing
 * (DEPENDENCY_UNAVAILABLE), a bug (INTERNAL_ERROR) — and is handed back unchanged for the
 * problem filter to map and log; blaming the upstream for it would hide it.
 */
export function upstreamFailure(error: unknown, what: string): unknown {
  if (error instanceof AppError) return error;
  if (error instanceof UpstreamTransportError) {
    const p = problemsOf(error.upstreamName);
    return error.kind === 'timeout'
      ? new AppError(p.timeout, `${p.label} did not answer in time (${what}).`, { cause: error })
      : new AppError(p.unavailable, `${p.label} could not be reached (${what}).`, { cause: error });
  }
  return error;
}

/** Maps an HTTP status the upstream answered with, when the caller has no more specific rule. */
export function upstreamStatusFailure(upstream: Upstream, status: number, what: string): AppError {
  const p = problemsOf(upstream);
  const cause = new UpstreamStatusError(upstream, what, status);
  if (status === 503 || status === 502 || status === 504 || status === 429) return new AppError(p.unavailable, `${p.label} is unavailable (${what}).`, { cause });
  if (status >= 500) return new AppError(p.unavailable, `${p.label} failed (${what}).`, { cause });
  return new AppError(p.rejected, `${p.label} rejected the request (${what}, HTTP ${status}).`, { cause });
}

/** The upstream answered (with `status`) but not with anything we can use. */
export function upstreamBadResponse(upstream: Upstream, status: number, what: string, detail: string): AppError {
  return new AppError(problemsOf(upstream).badResponse, detail, { cause: new UpstreamStatusError(upstream, what, status) });
}
