import type { MetricsService } from '../../../metrics/metrics.service';
import { UpstreamHttpClient } from '../../upstream/upstream-http.client';

/** Altinn 2's API families, each behind its own breaker: the token exchange and the key set. */
export type Altinn2Api = 'token' | 'keys';
export const ALTINN2_APIS: readonly Altinn2Api[] = ['token', 'keys'];

export function altinn2ApiOf(operation: string): Altinn2Api {
  return operation.startsWith('altinn2.keys') ? 'keys' : 'token';
}

export interface Altinn2HttpOptions {
  /** ALTINN_TIMEOUT_MS */
  timeoutMs: number;
  httpsProxy?: string;
}

/**
 * Every call to Altinn 2: the shared upstream client, counted as upstream `altinn` (its problems
 * are ALTINN_*). Operation names never carry an authorization code or a token.
 */
export class Altinn2HttpClient extends UpstreamHttpClient<Altinn2Api> {
  constructor(options: Altinn2HttpOptions, metrics: MetricsService) {
    super(metrics, { upstream: 'altinn', timeoutMs: options.timeoutMs, httpsProxy: options.httpsProxy, apis: ALTINN2_APIS, apiOf: altinn2ApiOf });
  }
}
