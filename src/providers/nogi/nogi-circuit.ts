import type { MetricsService } from '../../metrics/metrics.service';
import { DEFAULT_UPSTREAM_CIRCUIT, UpstreamCircuitOptions, UpstreamCircuits } from '../upstream/upstream-circuit';

export { humanPaced } from '../upstream/upstream-circuit';

/** The NoGi API families, each behind its own breaker: one failing API does not stop the others. */
export type NogiApi = 'token' | 'debt' | 'agreement' | 'feed';
export const NOGI_APIS: readonly NogiApi[] = ['token', 'debt', 'agreement', 'feed'];

/** The API family of an operation name (`debt.get_by_consent`, `token.client_credentials.feed`, `discovery`…). */
export function apiOf(operation: string): NogiApi {
  const family = operation.split('.')[0];
  if (family === 'debt' || family === 'agreement' || family === 'feed') return family;
  // The authorization server: discovery, client credentials and the authorization-code exchange.
  return 'token';
}

/** NoGi's breakers: one per API family, answering NOGI_UNAVAILABLE while open. */
export class NogiCircuits extends UpstreamCircuits<NogiApi> {
  constructor(metrics: MetricsService, options: UpstreamCircuitOptions = DEFAULT_UPSTREAM_CIRCUIT) {
    super(metrics, 'nogi', NOGI_APIS, apiOf, options);
  }
}
