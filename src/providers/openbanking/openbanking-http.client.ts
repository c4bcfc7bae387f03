import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { MetricsService } from '../../metrics/metrics.service';
import { UpstreamHttpClient } from '../upstream/upstream-http.client';
import { OpenbankingConfig } from './openbanking.config';

/** The partner bank's API families, each behind its own breaker: the token server and the account API. */
export type OpenbankingApi = 'token' | 'accounts';
export const OPENBANKING_APIS: readonly OpenbankingApi[] = ['token', 'accounts'];

export function openbankingApiOf(operation: string): OpenbankingApi {
  return operation.startsWith('token') ? 'token' : 'accounts';
}

/**
 * Every call to the partner bank: the shared upstream client with OPENBANKING_TIMEOUT_MS. It logs
 * nothing and labels metrics by upstream and operation only, so PSU-ID (a national id) and the
 * bearer token stay out of logs and metrics; operation names never carry an id.
 */
@Injectable()
export class OpenbankingHttpClient extends UpstreamHttpClient<OpenbankingApi> implements OnApplicationShutdown {
  constructor(config: OpenbankingConfig, metrics: MetricsService) {
    super(metrics, { upstream: 'openbanking', timeoutMs: config.timeoutMs, httpsProxy: config.httpsProxy, apis: OPENBANKING_APIS, apiOf: openbankingApiOf });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}
