import type { OnApplicationShutdown } from '@nestjs/common';
import type { MetricsService } from '../../../metrics/metrics.service';
import type { UpstreamCircuitOptions } from '../../upstream/upstream-circuit';
import { UpstreamHttpClient } from '../../upstream/upstream-http.client';

/** Altinn 3's API families, each behind its own breaker: a failing events feed does not stop new consents. */
export type Altinn3Api = 'consentrequests' | 'events';
export const ALTINN3_APIS: readonly Altinn3Api[] = ['consentrequests', 'events'];

/** Operation names: `consentrequests.create`, `consentrequests.get`, `events.list`. */
export function altinn3ApiOf(operation: string): Altinn3Api {
  return operation.split('.')[0] === 'events' ? 'events' : 'consentrequests';
}

export interface Altinn3HttpOptions {
  /** ALTINN_TIMEOUT_MS */
  timeoutMs: number;
  httpsProxy?: string;
  circuit?: UpstreamCircuitOptions;
}

/** Every call to Altinn 3: the shared upstream client with Altinn's timeout and API families. */
export class Altinn3HttpClient extends UpstreamHttpClient<Altinn3Api> implements OnApplicationShutdown {
  constructor(metrics: MetricsService, options: Altinn3HttpOptions) {
    super(metrics, { upstream: 'altinn', timeoutMs: options.timeoutMs, httpsProxy: options.httpsProxy, apis: ALTINN3_APIS, apiOf: altinn3ApiOf, circuit: options.circuit });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}
