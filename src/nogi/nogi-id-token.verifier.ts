import { Injectable } from '@nestjs/common';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { AppConfig } from '../config/app-config';
import { NogiDiscoveryClient } from './nogi-discovery.client';

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
 * unknown keys are refused by jose.
 */
@Injectable()
export class NogiIdTokenVerifier {
  private jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

  constructor(
    private readonly config: AppConfig,
    private readonly discovery: NogiDiscoveryClient,
  ) {}

  async verify(idToken: string, expectedNonce: string): Promise<NogiIdTokenClaims> {
    const metadata = await this.discovery.metadata();
    this.jwks ??= createRemoteJWKSet(new URL(metadata.jwks_uri), { timeoutDuration: this.config.nogiTimeoutMs });
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
      throw new InvalidIdTokenError(error instanceof Error ? error.constructor.name : 'invalid');
    }
    if (payload.nonce !== expectedNonce) throw new InvalidIdTokenError('nonce mismatch');
    return {
      pid: typeof payload.pid === 'string' ? payload.pid : undefined,
      consentId: typeof payload.consent_id === 'string' ? payload.consent_id : undefined,
    };
  }
}
