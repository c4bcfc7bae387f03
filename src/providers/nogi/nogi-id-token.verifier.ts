import { Injectable } from '@nestjs/common';
import { createRemoteJWKSet, customFetch, jwtVerify } from 'jose';
import { AppConfig } from '../../config/app-config';
import { AppError } from '../../common/problem';
import { NogiDiscoveryClient } from './nogi-discovery.client';
import { NogiHttpClient, NogiStatusError, nogiFailure } from './nogi-http.client';

export interface NogiIdTokenClaims {
  /** The person's national id (NoGi's `pid` claim). */
  pid: string | undefined;
  consentId: string | undefined;
}

export class InvalidIdTokenError extends Error {
  constructor(reason: string) {
    super(`ID token refused: ${reason}`);
    this.name = 'InvalidIdTokenError';
  }
}

/**
 * Verifies NoGi's ID token (OpenID Connect Core §3.1.3.7): RS256 signature against NoGi's JWKS,
 * iss, aud containing our client id, exp, and the nonce we sent. `alg: none`, other algorithms and
 * unknown keys are refused by jose. The JWKS is fetched like every other NoGi call, through
 * NogiHttpClient (HTTPS_PROXY, timeout, size cap, breaker, metrics); a JWKS that cannot be fetched
 * is NoGi being unavailable (an AppError), not a refused token.
 */
@Injectable()
export class NogiIdTokenVerifier {
  private jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

  constructor(
    private readonly config: AppConfig,
    private readonly discovery: NogiDiscoveryClient,
    private readonly http: NogiHttpClient,
  ) {}

  async verify(idToken: string, expectedNonce: string): Promise<NogiIdTokenClaims> {
    const metadata = await this.discovery.metadata();
    this.jwks ??= createRemoteJWKSet(new URL(metadata.jwks_uri), {
      timeoutDuration: this.config.nogiTimeoutMs,
      [customFetch]: (url: string) => this.fetchJwks(url),
    });
    let payload;
    try {
      ({ payload } = await jwtVerify(idToken, this.jwks, {
        // NoGi's issuer ends with a slash (https://access-preprod.norskgjeld.no/); accept both spellings of ours.
        issuer: [this.config.nogiIssuer, `${this.config.nogiIssuer}/`],
        audience: this.config.nogiClientId,
        algorithms: ['RS256'],
        clockTolerance: 30,
        requiredClaims: ['exp', 'iat', 'nonce'],
      }));
    } catch (error) {
      // fetchJwks's failures (NoGi unreachable, timed out, 5xx) are NoGi's, not the token's.
      if (error instanceof AppError) throw error;
      throw new InvalidIdTokenError(error instanceof Error ? error.constructor.name : 'invalid');
    }
    if (payload.nonce !== expectedNonce) throw new InvalidIdTokenError('nonce mismatch');
    return {
      pid: typeof payload.pid === 'string' ? payload.pid : undefined,
      consentId: typeof payload.consent_id === 'string' ? payload.consent_id : undefined,
    };
  }

  /** jose's fetch for the key set, answered by NogiHttpClient; transport failures and 5xx are NoGi's. */
  private async fetchJwks(url: string): Promise<Response> {
    let response;
    try {
      response = await this.http.send({ operation: 'jwks', method: 'GET', url });
    } catch (error) {
      throw nogiFailure(error, 'jwks');
    }
    if (response.status >= 500) throw new AppError('NOGI_UNAVAILABLE', 'NoGi could not serve its signing keys (jwks).', { cause: new NogiStatusError('jwks', response.status) });
    return new Response(response.text ?? '', { status: response.status, headers: { 'content-type': 'application/json' } });
  }
}
