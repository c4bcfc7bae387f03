import { AsyncLocalStorage } from 'node:async_hooks';
import { BrokenCircuitError, CircuitBreakerPolicy, CircuitState, ConsecutiveBreaker, circuitBreaker, handleAll } from 'cockatiel';
import { AppError, UpstreamOutcome } from '../../common/problem';
import type { MetricsService } from '../../metrics/metrics.service';

/** The NoGi API families, each behind its own breaker: one failing API does not stop the others. */
export type NogiApi = 'token' | 'debt' | 'agreement' | 'feed';
export const NOGI_APIS: readonly NogiApi[] = ['token', 'debt', 'agreement', 'feed'];

export interface NogiCircuitOptions {
  /** Consecutive failures (no answer, or a 5xx) that open a breaker. */
  failureThreshold: number;
  /** How long an open breaker answers at once before it lets one trial call through. */
  halfOpenAfterMs: number;
}

export const DEFAULT_NOGI_CIRCUIT: NogiCircuitOptions = { failureThreshold: 5, halfOpenAfterMs: 5_000 };

const humanPacedContext = new AsyncLocalStorage<true>();

/**
 * Runs `work` as a step a customer has just made and cannot repeat: the consent callback, right
 * after BankID at NoGi. Its NoGi calls are sent even while their breaker is open (a fresh consent
 * is never thrown away unseen because earlier calls failed); they keep their timeout, and the
 * breaker keeps guarding every other call. Such calls come at human pace, so they cannot flood a
 * failing NoGi.
 */
export function humanPaced<T>(work: () => Promise<T>): Promise<T> {
  return humanPacedContext.run(true, work);
}

/** The API family of an operation name (`debt.get_by_consent`, `token.client_credentials.feed`, `discovery`…). */
export function apiOf(operation: string): NogiApi {
  const family = operation.split('.')[0];
  if (family === 'debt' || family === 'agreement' || family === 'feed') return family;
  // The authorization server: discovery, client credentials and the authorization-code exchange.
  return 'token';
}

/**
 * One consecutive-failure circuit breaker per NoGi API family (cockatiel). Closed: calls go through
 * and transport errors or 5xx answers count; after `failureThreshold` in a row it opens and every
 * call answers NOGI_UNAVAILABLE (503) at once, without touching the network; after
 * `halfOpenAfterMs` one trial call decides whether it closes again.
 *
 * The breaker never retries: a call it rejects was never sent, so the authorization-code exchange
 * (which must never be sent twice) is safe behind it. A human-paced call (see `humanPaced`) the
 * open breaker refused is then sent once, directly: while closed or half-open the breaker counts
 * it like any call; while open it is not counted (cockatiel has no way to count a call it did not
 * run), so only the breaker's own trial call closes it again.
 */
export class NogiCircuits {
  private readonly breakers = new Map<NogiApi, CircuitBreakerPolicy>();

  constructor(
    private readonly metrics: MetricsService,
    options: NogiCircuitOptions = DEFAULT_NOGI_CIRCUIT,
  ) {
    const state = metrics.gauge('nogi_circuit_state', 'NoGi circuit breaker state by API family: 0 closed, 1 open, 2 half-open', ['api']);
    for (const api of NOGI_APIS) {
      const breaker = circuitBreaker(handleAll, {
        halfOpenAfter: options.halfOpenAfterMs,
        breaker: new ConsecutiveBreaker(options.failureThreshold),
      });
      state.set({ api }, CircuitState.Closed);
      breaker.onStateChange((s) => state.set({ api }, s === CircuitState.Isolated ? CircuitState.Open : s));
      this.breakers.set(api, breaker);
    }
  }

  state(api: NogiApi): CircuitState {
    return this.breakers.get(api)!.state;
  }

  /**
   * Runs one attempt behind the breaker of its family. `call` throws on transport errors; its result
   * counts as a failure when `isFailure` says so (5xx), and is returned to the caller either way.
   */
  async run<T>(operation: string, call: () => Promise<T>, isFailure: (result: T) => boolean): Promise<T> {
    const api = apiOf(operation);
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
          this.metrics.counter('nogi_circuit_bypasses_total', 'Human-paced NoGi calls (the consent callback) sent although the breaker of their API family was open', ['api']).inc({ api });
          return await call();
        }
        this.metrics.counter('nogi_circuit_rejections_total', 'NoGi calls refused at once because the breaker of their API family is open', ['api']).inc({ api });
        throw new AppError('NOGI_UNAVAILABLE', `NoGi is unavailable (${api} API failing; not called).`, { headers: { 'retry-after': '5' }, cause: new NogiCircuitOpenError(operation) });
      }
      throw error;
    }
  }
}

/** Why a call was not sent: the breaker of its API family is open (for the log of the 503). */
class NogiCircuitOpenError extends Error {
  readonly upstream: UpstreamOutcome;

  constructor(operation: string) {
    super(`NoGi ${operation}: not called, the ${apiOf(operation)} breaker is open`);
    this.name = 'NogiCircuitOpenError';
    this.upstream = { upstream: 'nogi', operation, failure: 'circuit_open' };
  }
}

/** Carries a failing (5xx) answer through the breaker so it is counted, then hands it back unchanged. */
class ServerFailureCarrier extends Error {
  constructor(readonly result: unknown) {
    super('NoGi answered with a server error');
  }
}
