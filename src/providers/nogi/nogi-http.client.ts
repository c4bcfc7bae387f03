import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Agent, Dispatcher, ProxyAgent, request } from 'undici';
import { AppConfig } from '../../config/app-config';
import { AppError, UpstreamOutcome } from '../../common/problem';
import { MetricsService } from '../../metrics/metrics.service';
import { NogiCircuits } from './nogi-circuit';
import { retryIdempotent } from './nogi-retry';

const MAX_RESPONSE_BYTES = 2 * 1024 * 1024;

export interface NogiRequest {
  /** Metric label and log name, e.g. debt.get, token.client_credentials. */
  operation: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** Sent as X-Trace-ID; NoGi echoes it as trace_id in Debt API errors. */
  traceId?: string;
}

export interface NogiResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON when the body is JSON, else the text (never returned to our callers). */
  body: unknown;
  /** The body as received, for parsers that must keep int64 digits JSON.parse would round (the feed). */
  text?: string;
}

/** The call never produced an HTTP response. */
export class NogiTransportError extends Error {
  readonly upstream: UpstreamOutcome;

  constructor(
    readonly kind: 'timeout' | 'network',
    readonly operation: string,
    cause: unknown,
  ) {
    super(`NoGi ${operation}: ${kind}`, { cause });
    this.name = 'NogiTransportError';
    this.upstream = { upstream: 'nogi', operation, failure: kind };
  }
}

/** NoGi answered with a status we cannot use: the cause of the problem we answer, for the log. */
export class NogiStatusError extends Error {
  readonly upstream: UpstreamOutcome;

  constructor(
    readonly operation: string,
    readonly status: number,
  ) {
    super(`NoGi ${operation}: HTTP ${status}`);
    this.name = 'NogiStatusError';
    this.upstream = { upstream: 'nogi', operation, status };
  }
}

/**
 * Every call to NoGi goes through here: keep-alive pool (or HTTPS_PROXY), a hard timeout
 * (NOGI_TIMEOUT_MS) covering connect, headers and body, a response size cap, a circuit breaker
 * per API family (an open one answers NOGI_UNAVAILABLE without calling), and metrics.
 * Retries are the caller's decision: only idempotent calls may be retried (`sendIdempotent`).
 */
@Injectable()
export class NogiHttpClient implements OnApplicationShutdown {
  private readonly dispatcher: Dispatcher;
  readonly circuits: NogiCircuits;

  constructor(
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {
    const timeout = config.nogiTimeoutMs;
    // maxResponseSize: a body larger than the cap ends the call (undici counts it as it arrives).
    const options = { connections: 128, keepAliveTimeout: 30_000, headersTimeout: timeout, bodyTimeout: timeout, connect: { timeout }, maxResponseSize: MAX_RESPONSE_BYTES };
    this.dispatcher = config.httpsProxy ? new ProxyAgent({ uri: config.httpsProxy, ...options }) : new Agent(options);
    this.circuits = new NogiCircuits(metrics);
  }

  /** One attempt, behind the breaker of its API family; a 5xx answer is returned and counted as a failure. */
  send(req: NogiRequest): Promise<NogiResponse> {
    return this.circuits.run(req.operation, () => this.attempt(req), (response) => response.status >= 500);
  }

  /**
   * An IDEMPOTENT call (GET, DELETE, the agreement PUT): `retryIdempotent`'s bounded attempts with
   * full-jitter backoff inside one NOGI_TIMEOUT_MS budget, each counted in nogi_retries_total.
   */
  sendIdempotent(operation: string, call: () => Promise<NogiResponse>): Promise<NogiResponse> {
    return retryIdempotent(this.config.nogiTimeoutMs, call, () =>
      this.metrics.counter('nogi_retries_total', 'Repeated attempts of idempotent NoGi calls by operation', ['operation']).inc({ operation }),
    );
  }

  private async attempt(req: NogiRequest): Promise<NogiResponse> {
    const stop = this.metrics.nogiRequestDuration.startTimer({ operation: req.operation });
    // The whole call (connect, headers, body) within NOGI_TIMEOUT_MS. Not AbortSignal.timeout: its
    // timer outlives a call that finished and then fires anyway, building a DOMException per call.
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new DOMException('NoGi call timed out', 'TimeoutError')), this.config.nogiTimeoutMs);
    try {
      const response = await request(req.url, {
        method: req.method,
        headers: { accept: 'application/json', ...(req.traceId ? { 'x-trace-id': req.traceId } : {}), ...req.headers },
        body: req.body,
        dispatcher: this.dispatcher,
        signal: abort.signal,
        headersTimeout: this.config.nogiTimeoutMs,
        bodyTimeout: this.config.nogiTimeoutMs,
      });
      const text = await response.body.text();
      stop({ outcome: String(response.statusCode) });
      const contentType = String(response.headers['content-type'] ?? '');
      let body: unknown = text;
      if (text && /json/.test(contentType)) {
        try {
          body = JSON.parse(text);
        } catch {
          body = text;
        }
      }
      return { status: response.statusCode, headers: response.headers, body, text };
    } catch (error) {
      const kind = isTimeout(error) ? 'timeout' : 'network';
      stop({ outcome: kind });
      if (kind === 'timeout') this.metrics.counter('nogi_timeouts_total', 'NoGi calls that ran out of NOGI_TIMEOUT_MS by operation', ['operation']).inc({ operation: req.operation });
      throw new NogiTransportError(kind, req.operation, error);
    } finally {
      clearTimeout(timer);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.dispatcher.close().catch(() => undefined);
  }
}

function isTimeout(error: unknown): boolean {
  const e = error as { name?: string; code?: string };
  return e?.name === 'TimeoutError' || e?.name === 'AbortError' || e?.code === 'UND_ERR_HEADERS_TIMEOUT' || e?.code === 'UND_ERR_BODY_TIMEOUT' || e?.code === 'UND_ERR_CONNECT_TIMEOUT';
}

/**
 * The problem our caller sees when a call to NoGi failed: NoGi's own failures (no answer, a
 * timeout, an open breaker) become NOGI_*. Anything else is ours — Redis or PostgreSQL failing
 * (DEPENDENCY_UNAVAILABLE), a bug (INTERNAL_ERROR) — and is handed back unchanged for the
 * problem filter to map and log; blaming NoGi for it would hide it.
 */
export function nogiFailure(error: unknown, what: string): unknown {
  if (error instanceof AppError) return error;
  if (error instanceof NogiTransportError) {
    return error.kind === 'timeout'
      ? new AppError('NOGI_TIMEOUT', `NoGi did not answer in time (${what}).`, { cause: error })
      : new AppError('NOGI_UNAVAILABLE', `NoGi could not be reached (${what}).`, { cause: error });
  }
  return error;
}

/** Maps an HTTP status NoGi answered with, when the caller has no more specific rule. */
export function nogiStatusFailure(status: number, what: string): AppError {
  const cause = new NogiStatusError(what, status);
  if (status === 503 || status === 502 || status === 504 || status === 429) return new AppError('NOGI_UNAVAILABLE', `NoGi is unavailable (${what}).`, { cause });
  if (status >= 500) return new AppError('NOGI_UNAVAILABLE', `NoGi failed (${what}).`, { cause });
  return new AppError('NOGI_REJECTED', `NoGi rejected the request (${what}, HTTP ${status}).`, { cause });
}

/** NoGi answered (with `status`) but not with anything we can use. */
export function nogiBadResponse(status: number, what: string, detail: string): AppError {
  return new AppError('NOGI_BAD_RESPONSE', detail, { cause: new NogiStatusError(what, status) });
}
