import { Logger } from '@nestjs/common';
import type { DataCipher } from '../../../common/crypto/data-cipher';
import { AppError } from '../../../common/problem';
import type { StateStore } from '../../../redis/state-store';
import { FetchedToken, TokenCache } from '../../upstream/token-cache';
import { UpstreamResponse, UpstreamStatusError, upstreamBadResponse, upstreamFailure, upstreamStatusFailure } from '../../upstream/upstream';
import { type ConsentReference, grantForm, signGrant } from './maskinporten-grant';
import type { MaskinportenHttpClient } from './maskinporten-http.client';
import type { MaskinportenConfig } from './maskinporten.config';

export interface MaskinportenMetadata {
  issuer: string;
  token_endpoint: string;
}

/**
 * Maskinporten refused the grant (4xx with `{error, error_description}`): MASKINPORTEN_REJECTED
 * (502) to our caller; `error` and `consentGrant` let a caller tell "this consent cannot be used"
 * (re-check it at Altinn) apart from a problem with our client.
 */
export class MaskinportenGrantRefusedError extends AppError {
  constructor(
    readonly error: string,
    readonly consentGrant: boolean,
    status: number,
  ) {
    super('MASKINPORTEN_REJECTED', `Maskinporten refused the ${consentGrant ? 'consent ' : ''}token grant (${error}).`, { cause: new UpstreamStatusError('maskinporten', 'token.jwt_bearer', status) });
    this.name = 'MaskinportenGrantRefusedError';
  }
}

/**
 * Maskinporten tokens by JWT-bearer grant: plain tokens per scope, consent tokens per (consent id,
 * scope), held by the shared TokenCache (single-flight across replicas, `expires_in` trusted).
 * Neither the assertion nor a token is ever logged.
 */
export class MaskinportenClient {
  private readonly logger = new Logger(MaskinportenClient.name);
  private readonly cache: TokenCache;
  private metadataPromise?: Promise<MaskinportenMetadata>;

  constructor(
    private readonly config: MaskinportenConfig,
    private readonly http: MaskinportenHttpClient,
    store: StateStore,
    cipher: DataCipher,
  ) {
    this.cache = new TokenCache(store, cipher, { upstream: 'maskinporten', namespace: 'maskinporten-token', grant: 'jwt-bearer', lockMs: config.timeoutMs * 3 + 1000 });
  }

  /** A cached token for `scope` (space-separated scopes allowed). */
  token(scope: string): Promise<string> {
    return this.cache.get(`scope:${scope}`, () => this.fetch(scope));
  }

  /** A cached consent token: the data source's scope plus the Altinn consent as `authorization_details`. */
  consentToken(scope: string, consent: ConsentReference): Promise<string> {
    return this.cache.get(consentKey(scope, consent), () => this.fetch(scope, consent));
  }

  /** Drops a token the data source refused, only if it is still the cached one. */
  invalidate(scope: string, token: string, consent?: ConsentReference): Promise<void> {
    return this.cache.invalidate(consent ? consentKey(scope, consent) : `scope:${scope}`, token);
  }

  /** `/.well-known/oauth-authorization-server`, fetched once per process (a failed fetch is retried next time). */
  metadata(): Promise<MaskinportenMetadata> {
    if (!this.metadataPromise) {
      this.metadataPromise = this.fetchMetadata();
      this.metadataPromise.catch(() => (this.metadataPromise = undefined));
    }
    return this.metadataPromise;
  }

  private async fetchMetadata(): Promise<MaskinportenMetadata> {
    const url = `${this.config.issuer.replace(/\/+$/, '')}/.well-known/oauth-authorization-server`;
    let response: UpstreamResponse;
    try {
      response = await this.http.sendIdempotent('metadata', () => this.http.send({ operation: 'metadata', method: 'GET', url }));
    } catch (error) {
      throw upstreamFailure(error, 'metadata');
    }
    if (response.status !== 200) throw upstreamStatusFailure('maskinporten', response.status, 'metadata');
    const body = response.body as { issuer?: unknown; token_endpoint?: unknown } | undefined;
    const issuer = body?.issuer;
    const tokenEndpoint = body?.token_endpoint;
    if (typeof issuer !== 'string' || typeof tokenEndpoint !== 'string' || !isHttpUrl(tokenEndpoint)) {
      throw upstreamBadResponse('maskinporten', response.status, 'metadata', 'Maskinporten metadata lacks issuer or token_endpoint.');
    }
    // Maskinporten's issuer ends in a slash that a configured one may lack; any other difference is a wrong server.
    if (issuer.replace(/\/+$/, '') !== this.config.issuer.replace(/\/+$/, '')) {
      throw upstreamBadResponse('maskinporten', response.status, 'metadata', 'Maskinporten metadata names another issuer than MASKINPORTEN_ISSUER.');
    }
    return { issuer, token_endpoint: tokenEndpoint };
  }

  private async fetch(scope: string, consent?: ConsentReference): Promise<FetchedToken> {
    const metadata = await this.metadata();
    const assertion = await signGrant(this.config, { audience: metadata.issuer, scope, consent });
    let response: UpstreamResponse;
    try {
      response = await this.http.send({
        operation: 'token.jwt_bearer',
        method: 'POST',
        url: metadata.token_endpoint,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: grantForm(assertion),
      });
    } catch (error) {
      throw upstreamFailure(error, 'token');
    }
    if (response.status >= 400 && response.status < 500) {
      const body = response.body as { error?: unknown } | undefined;
      if (typeof body?.error === 'string' && body.error.length > 0) {
        const error = body.error.slice(0, 64);
        // error_description can quote the grant's content; only the OAuth error code is logged.
        this.logger.warn({ status: response.status, error, scope, consentGrant: Boolean(consent) }, 'Maskinporten refused a token grant');
        throw new MaskinportenGrantRefusedError(error, Boolean(consent), response.status);
      }
    }
    if (response.status !== 200) throw upstreamStatusFailure('maskinporten', response.status, 'token');
    const body = response.body as { access_token?: unknown; expires_in?: unknown } | undefined;
    const token = body?.access_token;
    const expiresIn = body?.expires_in;
    if (typeof token !== 'string' || token.length === 0 || typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0) {
      throw upstreamBadResponse('maskinporten', response.status, 'token', 'Maskinporten answered the token request unexpectedly.');
    }
    return { token, expiresInSeconds: expiresIn };
  }
}

function consentKey(scope: string, consent: ConsentReference): string {
  return `consent:${consent.id}:${scope}`;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
