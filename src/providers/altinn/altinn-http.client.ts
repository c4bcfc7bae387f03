import type { OnApplicationShutdown } from '@nestjs/common';
import type { MetricsService } from '../../metrics/metrics.service';
import type { UpstreamCircuitOptions } from '../upstream/upstream-circuit';
import { UpstreamHttpClient } from '../upstream/upstream-http.client';

/**
 * Altinn's API families, each behind its own breaker: Altinn 3's consent requests and events feed
 * (a failing feed does not stop new consents), Altinn 2's token exchange and key set.
 */
export type AltinnApi = 'consentrequests' | 'events' | 'altinn2-token' | 'altinn2-keys';
export const ALTINN_APIS: readonly AltinnApi[] = ['consentrequests', 'events', 'altinn2-token', 'altinn2-keys'];

/**
 * The family of an operation: `consentrequests.create`, `consentrequests.get`, `events.list`
 * (Altinn 3); `altinn2.token.exchange`, `altinn2.keys.get` (Altinn 2).
 */
export function altinnApiOf(operation: string): AltinnApi {
  if (operation.startsWith('altinn2.')) return operation.startsWith('altinn2.keys') ? 'altinn2-keys' : 'altinn2-token';
  return operation.split('.')[0] === 'events' ? 'events' : 'consentrequests';
}

export interface AltinnHttpOptions {
  /** ALTINN_TIMEOUT_MS */
  timeoutMs: number;
  httpsProxy?: string;
  circuit?: UpstreamCircuitOptions;
}

/**
 * Every call to Altinn (3 and 2): the shared upstream client, counted as upstream `altinn` (its
 * problems are ALTINN_*), with ALTINN_TIMEOUT_MS. Operation names never carry an authorization
 * code, a token or a national id.
 */
export class AltinnHttpClient extends UpstreamHttpClient<AltinnApi> implements OnApplicationShutdown {
  constructor(metrics: MetricsService, options: AltinnHttpOptions) {
    super(metrics, { upstream: 'altinn', timeoutMs: options.timeoutMs, httpsProxy: options.httpsProxy, apis: ALTINN_APIS, apiOf: altinnApiOf, circuit: options.circuit });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}
