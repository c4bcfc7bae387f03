import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { DataCipher } from '../../common/crypto/data-cipher';
import { StateStore } from '../../redis/state-store';
import { FetchedToken, TokenCache } from '../upstream/token-cache';
import { NogiDiscoveryClient } from './nogi-discovery.client';
import { NogiHttpClient, NogiResponse, nogiBadResponse, nogiFailure, nogiStatusFailure } from './nogi-http.client';

export type NogiAudienceName = 'debt' | 'agreement' | 'feed';

/** The scope set of each token family (one debt token covers both debt scopes, per NoGi's docs). */
export const NOGI_TOKEN_SCOPES: Record<NogiAudienceName, string> = {
  debt: 'debt.unsecured.presentation debt.unsecured.processing',
  agreement: 'consent.create',
  feed: 'client.access.consent.events',
};

/**
 * Client-credentials tokens for NoGi's three APIs, one per audience, held by the shared TokenCache
 * (cached until shortly before `expires_in`, shared across replicas encrypted, single-flight, a
 * failed fetch announced to the replicas waiting on it). This client adds NoGi's grant request.
 */
@Injectable()
export class NogiTokenClient {
  private readonly logger = new Logger(NogiTokenClient.name);
  private readonly cache: TokenCache;

  constructor(
    private readonly config: AppConfig,
    private readonly http: NogiHttpClient,
    private readonly discovery: NogiDiscoveryClient,
    store: StateStore,
    cipher: DataCipher,
  ) {
    this.cache = new TokenCache(store, cipher, { upstream: 'nogi', namespace: 'nogi-token', grant: 'client-credentials', lockMs: config.nogiTimeoutMs * 2 + 1000 });
  }

  /** A cached client-credentials token for that audience. */
  token(audience: NogiAudienceName): Promise<string> {
    return this.cache.get(audience, () => this.fetch(audience));
  }

  /** Drops a token NoGi refused, only if it is still the cached one. */
  invalidate(audience: NogiAudienceName, token: string): Promise<void> {
    return this.cache.invalidate(audience, token);
  }

  /**
   * Runs a call with the token; when NoGi answers 401, or 403 saying the token is invalid or
   * expired (NoGi uses 403, not 401, for expired tokens), drops it and retries once with a fresh one.
   */
  async withToken(audience: NogiAudienceName, call: (token: string) => Promise<NogiResponse>): Promise<NogiResponse> {
    const first = await this.token(audience);
    const response = await call(first);
    if (!isTokenRejection(response)) return response;
    await this.invalidate(audience, first);
    return call(await this.token(audience));
  }

  private async fetch(audience: NogiAudienceName): Promise<FetchedToken> {
    const { token_endpoint } = await this.discovery.metadata();
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      audience: this.config.nogiAudiences[audience],
      scope: NOGI_TOKEN_SCOPES[audience],
    }).toString();
    let response: NogiResponse;
    try {
      response = await this.http.send({
        operation: `token.client_credentials.${audience}`,
        method: 'POST',
        url: token_endpoint,
        headers: {
          authorization: basicAuthorization(this.config.nogiClientId, this.config.nogiClientSecret),
          'content-type': 'application/x-www-form-urlencoded',
        },
        body,
      });
    } catch (error) {
      throw nogiFailure(error, 'token');
    }
    if (response.status !== 200) {
      this.logger.warn({ audience, status: response.status }, 'NoGi refused a client-credentials token');
      throw nogiStatusFailure(response.status, 'token');
    }
    const parsed = response.body as { access_token?: unknown; expires_in?: unknown } | undefined;
    const accessToken = parsed?.access_token;
    const expiresIn = Number(parsed?.expires_in);
    if (typeof accessToken !== 'string' || accessToken.length === 0 || !Number.isFinite(expiresIn) || expiresIn <= 0) {
      throw nogiBadResponse(response.status, 'token', 'NoGi answered the token request unexpectedly.');
    }
    this.logger.debug({ audience, expiresIn }, 'Fetched a NoGi client-credentials token');
    return { token: accessToken, expiresInSeconds: expiresIn };
  }
}

/** RFC 6749 §2.3.1: id and secret are each form-urlencoded before being joined and base64-encoded. */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  const encode = (value: string) => new URLSearchParams([['', value]]).toString().slice(1);
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}

/** NoGi's answers that mean "this token is no good" (not "this consent is no good"). */
export function isTokenRejection(response: NogiResponse): boolean {
  if (response.status === 401) return true;
  if (response.status !== 403) return false;
  const body = response.body as { error?: unknown; message?: unknown } | undefined;
  const error = typeof body?.error === 'string' ? body.error : '';
  if (/invalid consent|no valid consent/i.test(error)) return false;
  // Debt API: {error: "invalid access token"}; Agreement/feed (Spring): {message: "...access token..."}.
  const message = typeof body?.message === 'string' ? body.message : '';
  return /token/i.test(error) || /token/i.test(message);
}
