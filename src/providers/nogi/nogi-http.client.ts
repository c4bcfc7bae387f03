import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { AppError } from '../../common/problem';
import { MetricsService } from '../../metrics/metrics.service';
import { UpstreamRequest, UpstreamResponse, UpstreamStatusError, upstreamBadResponse, upstreamFailure, upstreamStatusFailure } from '../upstream/upstream';
import { UpstreamHttpClient } from '../upstream/upstream-http.client';
import { apiOf, NOGI_APIS, NogiApi } from './nogi-circuit';

export type NogiRequest = UpstreamRequest;
export type NogiResponse = UpstreamResponse;

/** NoGi's status error: the neutral one, named for NoGi. */
export class NogiStatusError extends UpstreamStatusError {
  constructor(operation: string, status: number) {
    super('nogi', operation, status);
  }
}

/**
 * Every call to NoGi: the shared upstream client with NoGi's timeout (NOGI_TIMEOUT_MS), HTTPS_PROXY
 * and its API families (token, debt, agreement, feed), each behind its own breaker.
 */
@Injectable()
export class NogiHttpClient extends UpstreamHttpClient<NogiApi> implements OnApplicationShutdown {
  constructor(config: AppConfig, metrics: MetricsService) {
    super(metrics, { upstream: 'nogi', timeoutMs: config.nogiTimeoutMs, httpsProxy: config.httpsProxy, apis: NOGI_APIS, apiOf });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}

/** See `upstreamFailure`: NoGi's own failures become NOGI_*; anything else is handed back unchanged. */
export function nogiFailure(error: unknown, what: string): unknown {
  return upstreamFailure(error, what);
}

/** Maps an HTTP status NoGi answered with, when the caller has no more specific rule. */
export function nogiStatusFailure(status: number, what: string): AppError {
  return upstreamStatusFailure('nogi', status, what);
}

/** NoGi answered (with `status`) but not with anything we can use. */
export function nogiBadResponse(status: number, what: string, detail: string): AppError {
  return upstreamBadResponse('nogi', status, what, detail);
}
