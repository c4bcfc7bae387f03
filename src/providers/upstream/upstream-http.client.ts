import { Agent, Dispatcher, ProxyAgent, request } from 'undici';
import type { MetricsService } from '../../metrics/metrics.service';
import { Upstream, UpstreamRequest, UpstreamResponse, UpstreamTransportError } from './upstream';
import { UpstreamCircuitOptions, UpstreamCircuits } from './upstream-circuit';
import { retryIdempotent } from './upstream-retry';

const MAX_RESPONSE_BYTES = 2 * 1024 * 1024;

/** What differs between upstreams; everything else is the same mechanism. */
export interface UpstreamProfile<Api extends string = string> {
  upstream: Upstream;
  /** Hard timeout of one call (connect, headers, body), and the budget of an idempotent call's retries. */
  timeoutMs: number;
  httpsProxy?: string;
  /** The upstream's API families, each behind its own breaker, and the family of an operation. */
  apis: readonly Api[];
  apiOf: (operation: string) => Api;
  circuit?: UpstreamCircuitOptions;
}

/**
 * Every call to an upstream goes through one of these, one per upstream: keep-alive pool (or
 * HTTPS_PROXY), a hard timeout covering connect, headers and body, a response size cap, a circuit
 * breaker per API family (an open one answers <UPSTREAM>_UNAVAILABLE without calling), and metrics
 * labelled by upstream. Retries are the caller's decision: only idempotent calls may be retried
 * (`sendIdempotent`).
 */
export class UpstreamHttpClient<Api extends string = string> {
  private readonly dispatcher: Dispatcher;
  readonly circuits: UpstreamCircuits<Api>;
  readonly upstream: Upstream;
  private readonly timeoutMs: number;

  constructor(
    protected readonly metrics: MetricsService,
    profile: UpstreamProfile<Api>,
  ) {
    this.upstream = profile.upstream;
    const timeout = (this.timeoutMs = profile.timeoutMs);
    // maxResponseSize: a body larger than the cap ends the call (undici counts it as it arrives).
    const options = { connections: 128, keepAliveTimeout: 30_000, headersTimeout: timeout, bodyTimeout: timeout, connect: { timeout }, maxResponseSize: MAX_RESPONSE_BYTES };
    this.dispatcher = profile.httpsProxy ? new ProxyAgent({ uri: profile.httpsProxy, ...options }) : new Agent(options);
    this.circuits = new UpstreamCircuits(metrics, profile.upstream, profile.apis, profile.apiOf, profile.circuit);
  }

  /** One attempt, behind the breaker of its API family; a 5xx answer is returned and counted as a failure. */
  send(req: UpstreamRequest): Promise<UpstreamResponse> {
    return this.circuits.run(req.operation, () => this.attempt(req), (response) => response.status >= 500);
  }

  /**
   * An IDEMPOTENT call (GET, DELETE, an idempotent PUT): `retryIdempotent`'s bounded attempts with
   * full-jitter backoff inside one timeout budget, each counted in upstream_retries_total.
   */
  sendIdempotent(operation: string, call: () => Promise<UpstreamResponse>): Promise<UpstreamResponse> {
    return retryIdempotent(this.timeoutMs, call, () =>
      this.metrics.counter('upstream_retries_total', 'Repeated attempts of idempotent upstream calls by upstream and operation', ['upstream', 'operation']).inc({ upstream: this.upstream, operation }),
    );
  }

  private async attempt(req: UpstreamRequest): Promise<UpstreamResponse> {
    const upstream = this.upstream;
    const stop = this.metrics.upstreamRequestDuration.startTimer({ upstream, operation: req.operation });
    // The whole call (connect, headers, body) within the timeout. Not AbortSignal.timeout: its
    // timer outlives a call that finished and then fires anyway, building a DOMException per call.
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new DOMException(`${upstream} call timed out`, 'TimeoutError')), this.timeoutMs);
    try {
      const response = await request(req.url, {
        method: req.method,
        headers: { accept: 'application/json', ...(req.traceId ? { 'x-trace-id': req.traceId } : {}), ...req.headers },
        body: req.body,
        dispatcher: this.dispatcher,
        signal: abort.signal,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
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
      if (kind === 'timeout') {
        this.metrics.counter('upstream_timeouts_total', 'Upstream calls that ran out of their timeout by upstream and operation', ['upstream', 'operation']).inc({ upstream, operation: req.operation });
      }
      throw new UpstreamTransportError(upstream, kind, req.operation, error);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.dispatcher.close().catch(() => undefined);
  }
}

function isTimeout(error: unknown): boolean {
  const e = error as { name?: string; code?: string };
  return e?.name === 'TimeoutError' || e?.name === 'AbortError' || e?.code === 'UND_ERR_HEADERS_TIMEOUT' || e?.code === 'UND_ERR_BODY_TIMEOUT' || e?.code === 'UND_ERR_CONNECT_TIMEOUT';
}
