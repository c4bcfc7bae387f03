import type { OnApplicationShutdown } from '@nestjs/common';
import type { MetricsService } from '../../../metrics/metrics.service';
import { UpstreamHttpClient } from '../../upstream/upstream-http.client';
import type { UpstreamClientOptions } from '../maskinporten/maskinporten-http.client';

/** Skatteetaten's two APIs, each behind its own breaker. */
export type SkatteetatenApi = 'summertskattegrunnlag' | 'inntekt';

/**
 * Every call to Skatteetaten: the shared upstream client, labelled `skatteetaten`. Operation names
 * are fixed strings (`summertskattegrunnlag.get`, `inntekt.get`): the URL holds the national id and
 * must never become a metric label or a log field.
 */
export class SkatteetatenHttpClient extends UpstreamHttpClient<SkatteetatenApi> implements OnApplicationShutdown {
  constructor(metrics: MetricsService, options: UpstreamClientOptions) {
    super(metrics, {
      upstream: 'skatteetaten',
      timeoutMs: options.timeoutMs,
      httpsProxy: options.httpsProxy,
      apis: ['summertskattegrunnlag', 'inntekt'],
      apiOf: (operation) => (operation.startsWith('inntekt') ? 'inntekt' : 'summertskattegrunnlag'),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}
