import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DataCipher } from '../../common/crypto/data-cipher';
import { StateStore } from '../../redis/state-store';
import { upstreamBadResponse, upstreamFailure, UpstreamResponse, upstreamStatusFailure } from '../upstream/upstream';
import { FetchedToken, TokenCache } from '../upstream/token-cache';
import type { OpenbankingCredentials } from './openbanking-credentials';
import { OpenbankingHttpClient } from './openbanking-http.client';
import { OpenbankingConfig } from './openbanking.config';

/** Used when the token answer has no `expires_in` (the partner API documents no lifetime); short, so a guess costs little. */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 300;

/**
 * `api` mode: SPV's client-credentials token (Auth0), requested with a JSON body carrying
 * `audience` (never form-encoded, never Basic), held by the shared TokenCache: one request per
 * lifetime across replicas, encrypted at rest. A 401 from the account API drops the token and
 * retries the call once with a fresh one.
 */
@Injectable()
export class OpenbankingTokenClient implements OpenbankingCredentials {
  private readonly logger = new Logger(OpenbankingTokenClient.name);
  private readonly cache: TokenCache;
  /** One cache entry per (token URL, client, audience): a changed configuration never reuses another client's token. */
  private readonly key: string;

  constructor(
    private readonly config: OpenbankingConfig,
    private readonly http: OpenbankingHttpClient,
    store: StateStore,
    cipher: DataCipher,
  ) {
    this.cache = new TokenCache(store, cipher, { upstream: 'openbanking', namespace: 'openbanking-token', grant: 'client-credentials', lockMs: config.timeoutMs * 2 + 1000 });
    this.key = createHash('sha256').update(`${config.tokenUrl}\n${config.clientId}\n${config.audience}`).digest('hex').slice(0, 32);
  }

  token(): Promise<string> {
    return this.cache.get(this.key, () => this.fetch());
  }

  async authorize(call: (headers: Record<string, string>) => Promise<UpstreamResponse>): Promise<UpstreamResponse> {
    const first = await this.token();
    const response = await call({ authorization: `Bearer ${first}` });
    if (response.status !== 401) return response;
    await this.cache.invalidate(this.key, first);
    return call({ authorization: `Bearer ${await this.token()}` });
  }

  private async fetch(): Promise<FetchedToken> {
    const { tokenUrl, clientId, clientSecret, audience } = this.config;
    if (!tokenUrl || !clientId || !clientSecret || !audience) throw new Error('OPENBANKING_MODE=api without its client credentials');
    let response: UpstreamResponse;
    try {
      response = await this.http.send({
        operation: 'token.client_credentials',
        method: 'POST',
        url: tokenUrl,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ client_id: clientId, client_secret: clientSecret, audience, grant_type: 'client_credentials' }),
      });
    } catch (error) {
      throw upstreamFailure(error, 'token');
    }
    if (response.status !== 200) {
      this.logger.warn({ status: response.status }, 'The partner bank refused a client-credentials token');
      throw upstreamStatusFailure('openbanking', response.status, 'token');
    }
    const body = response.body as { access_token?: unknown; expires_in?: unknown } | undefined;
    const token = body?.access_token;
    const expiresIn = body?.expires_in === undefined ? DEFAULT_TOKEN_LIFETIME_SECONDS : Number(body.expires_in);
    if (typeof token !== 'string' || token.length === 0 || !Number.isFinite(expiresIn) || expiresIn <= 0) {
      throw upstreamBadResponse('openbanking', response.status, 'token', 'The partner bank answered the token request unexpectedly.');
    }
    return { token, expiresInSeconds: expiresIn };
  }
}
