import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { AppError } from '../../common/problem';
import { NogiHttpClient, NogiStatusError, nogiFailure } from './nogi-http.client';

export interface NogiMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
}

const TTL_MS = 60 * 60_000;

/** NoGi's OpenID configuration (`<NOGI_ISSUER>/.well-known/openid-configuration`), fetched lazily and cached. */
@Injectable()
export class NogiDiscoveryClient {
  private cached: { value: NogiMetadata; at: number } | undefined;
  private inflight: Promise<NogiMetadata> | undefined;

  constructor(
    private readonly config: AppConfig,
    private readonly http: NogiHttpClient,
  ) {}

  async metadata(): Promise<NogiMetadata> {
    if (this.cached && Date.now() - this.cached.at < TTL_MS) return this.cached.value;
    this.inflight ??= this.fetch().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async fetch(): Promise<NogiMetadata> {
    let response;
    try {
      response = await this.http.send({ operation: 'discovery', method: 'GET', url: `${this.config.nogiIssuer}/.well-known/openid-configuration` });
    } catch (error) {
      throw nogiFailure(error, 'discovery');
    }
    const body = response.body as Partial<NogiMetadata> | undefined;
    if (response.status !== 200 || typeof body !== 'object' || !body?.authorization_endpoint || !body.token_endpoint || !body.jwks_uri) {
      throw new AppError(response.status >= 500 ? 'NOGI_UNAVAILABLE' : 'NOGI_BAD_RESPONSE', 'NoGi discovery failed.', { cause: new NogiStatusError('discovery', response.status) });
    }
    // OpenID Connect Discovery §4.3: the issuer in the document must be the one we asked.
    if (body.issuer?.replace(/\/+$/, '') !== this.config.nogiIssuer) {
      throw new AppError('NOGI_BAD_RESPONSE', 'NoGi discovery names another issuer.');
    }
    const value = body as NogiMetadata;
    this.cached = { value, at: Date.now() };
    return value;
  }
}
