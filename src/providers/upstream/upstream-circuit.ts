import { AsyncLocalStorage } from 'node:async_hooks';
import { BrokenCircuitError, CircuitBreakerPolicy, CircuitState, ConsecutiveBreaker, circuitBreaker, handleAll } from 'cockatiel';
import { AppError, UpstreamOutcome } from '../../common/problem';
import type { MetricsService } from '../../metrics/metrics.service';
import { problemsOf, Upstream } from './upstream';

export interface UpstreamCircuitOptions {
  /** Consecutive failures (no answer, or a 5xx) that open a breaker. */
  failureThreshold: number;
  /** How long an open breaker answers at once before it lets one trial call through. */
  halfOpenAfterMs: number;
}

export const DEFAULT_UPSTREAM_CIRCUIT: UpstreamCircuitOptions = { failureThreshold: 5, halfOpenAfterMs: 5_000 };

const humanPacedContext = new AsyncLocalStorage<true>();

/**
 * Runs `work` as a step a customer has just made and cannot repeat: a consent callback, right
 * after the customer authenticated upstream. Its upstream calls are sent even while their breaker is
 * open (a fresh consent is never thrown away unseen because earlier calls failed); they keep their
 * timeout, and the breaker keeps guarding every other call. Such calls come at human pace, so they
 * cannot flood a failing upstream.
 */
export function humanPaced<T>(work: () => Promise<T>): Promise<T> {
  return humanPacedContext.run(true, work);
}

/**
 * One consecutive-failure circuit breaker per API family of one upstream (cockatiel). Closed: calls
 * go through and transport errors or 5xx answers count; after `failureThreshold` in a row it opens
 * and every call answers <UPSTREAM>_UNAVAILABLE (503) at once, without touching the network; after
 * `halfOpenAfterMs` one trial call decides whether it closes again.
 *
 * The breaker never retries: a call it rejects was never sent, so a non-idempotent call (an
 * authorization-code exchange) is safe behind it. A human-paced call (see `humanPaced`) the open
 * breaker refused is then sent once, directly: while closed or half-open the breaker counts it like
 * any call; while open it is not counted (cockatiel has no way to count a call it did not run), so
 * only the breaker's own trial call closes it again.
 */
export class UpstreamCircuits<Api extends string = string> {
  private readonly breakers = new Map<Api, CircuitBreakerPolicy>();

  constructor(
    private readonly metrics: MetricsService,
    private readonly upstream: Upstream,
    apis: readonly Api[],
    /** The API family of an operation name. */
    readonly apiOf: (operation: string) => Api,
    options: UpstreamCircuitOptions = DEFAULT_UPSTREAM_CIRCUIT,
  ) {
    const state = metrics.gauge('upstream_circuit_state', 'Upstream circuit breaker state by upstream and API family: 0 closed, 1 open, 2 half-open', ['upstream', 'api']);
    for (const api of apis) {
      const breaker = circuitBreaker(handleAll, {
        halfOpenAfter: options.halfOpenAfterMs,
        breaker: new ConsecutiveBreaker(options.failureThreshold),
      });
      state.set({ upstream, api }, CircuitState.Closed);
      breaker.onStateChange((s) => state.set({ upstream, api }, s === CircuitState.Isolated ? CircuitState.Open : s));
      this.breakers.set(api, breaker);
    }
  }

  state(api: Api): CircuitState {
    return this.breakers.get(api)!.state;
  }

  /**
   * Runs one attempt behind the breaker of its family. `call` throws on transport errors; its result
   * counts as a failure when `isFailure` says so (5xx), and is returned to the caller either way.
   */
  async run<T>(operation: string, call: () => Promise<T>, isFailure: (result: T) => boolean): Promise<T> {
    const api = this.apiOf(operation);
    const upstream = this.upstream;
    try {
      return await this.breakers.get(api)!.execute(async () => {
        const result = await call();
        if (isFailure(result)) throw new ServerFailureCarrier(result);
        return result;
      });
    } catch (error) {
      if (error instanceof ServerFailureCarrier) return error.result as T;
      if (error instanceof BrokenCircuitError) {
        if (humanPacedContext.getStore()) {
          this.metrics
            .counter('upstream_circuit_bypasses_total', 'Human-paced upstream calls (a consent callback) sent although the breaker of their API family was open', ['upstream', 'api'])
            .inc({ upstream, api });
          return await call();
        }
        this.metrics.counter('upstream_circuit_rejections_total', 'Upstream calls refused at once because the breaker of their API family is open', ['upstream', 'api']).inc({ upstream, api });
        const p = problemsOf(upstream);
        throw new AppError(p.unavailable, `${p.label} is unavailable (${api} API failing; not called).`, {
          headers: { 'retry-after': '5' },
          cause: new UpstreamCircuitOpenError(upstream, operation, api),
        });
      }
      throw error;
    }
  }
}

/** Why a call was not sent: the breaker of its API family is open (for the log of the 503). */
class UpstreamCircuitOpenError extends Error {
  readonly upstream: UpstreamOutcome;

  constructor(upstream: Upstream, operation: string, api: string) {
    super(`${problemsOf(upstream).label} ${operation}: not called, the ${api} breaker is open`);
    this.name = 'UpstreamCircuitOpenError';
    this.upstream = { upstream, operation, failure: 'circuit_open' };
  }
}

/** Carries a failing (5xx) answer through the breaker so it is counted, then hands it back unchanged. */
class ServerFailureCarrier extends Error {
  constructor(readonly result: unknown) {
    super('The upstream answered with a server error');
  }
}
