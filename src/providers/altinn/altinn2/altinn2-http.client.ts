import type { OnApplicationShutdown } from '@nestjs/common';
import type { MetricsService } from '../../../metrics/metrics.service';
import type { UpstreamCircuitOptions } from '../../upstream/upstream-circuit';
import { UpstreamHttpClient } from '../../upstream/upstream-http.client';

/**
 * Altinn 2's API families, each behind its own breaker: the token exchange and the key set. Named
 * apart from Altinn 3's (`consentrequests`, `events`), so both clients can count as upstream `altinn`.
 */
export type Altinn2Api = 'altinn2-token' | 'altinn2-keys';
export const ALTINN2_APIS: readonly Altinn2Api[] = ['altinn2-token', 'altinn2-keys'];

/** Operation names: `altinn2.token.exchange`, `altinn2.keys.get`. */
export function altinn2ApiOf(operation: string): Altinn2Api {
  return operation.startsWith('altinn2.keys') ? 'altinn2-keys' : 'altinn2-token';
}

export interface Altinn2HttpOptions {
  /** ALTINN_TIMEOUT_MS */
  timeoutMs: number;
  httpsProxy?: string;
  circuit?: UpstreamCircuitOptions;
}

/**
 * Every call to Altinn 2: the shared upstream client, counted as upstream `altinn` (its problems
 * are ALTINN_*). Operation names never carry an authorization code or a token.
 */
export class Altinn2HttpClient extends UpstreamHttpClient<Altinn2Api> implements OnApplicationShutdown {
  constructor(metrics: MetricsService, options: Altinn2HttpOptions) {
    super(metrics, { upstream: 'altinn', timeoutMs: options.timeoutMs, httpsProxy: options.httpsProxy, apis: ALTINN2_APIS, apiOf: altinn2ApiOf, circuit: options.circuit });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}
