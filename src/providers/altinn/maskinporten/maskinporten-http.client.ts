import type { OnApplicationShutdown } from '@nestjs/common';
import type { MetricsService } from '../../../metrics/metrics.service';
import { UpstreamHttpClient } from '../../upstream/upstream-http.client';

/** Maskinporten has one API family: metadata and the token endpoint share a breaker. */
export type MaskinportenApi = 'token';

export interface UpstreamClientOptions {
  /** ALTINN_TIMEOUT_MS */
  timeoutMs: number;
  httpsProxy?: string;
}

/** Every call to Maskinporten: the shared upstream client, labelled `maskinporten`. */
export class MaskinportenHttpClient extends UpstreamHttpClient<MaskinportenApi> implements OnApplicationShutdown {
  constructor(metrics: MetricsService, options: UpstreamClientOptions) {
    super(metrics, { upstream: 'maskinporten', timeoutMs: options.timeoutMs, httpsProxy: options.httpsProxy, apis: ['token'], apiOf: () => 'token' });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}
