import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { MaskinportenConfig } from './maskinporten.config';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const ALTINN_CONSENT_TYPE = 'urn:altinn:consent';
/** Maskinporten refuses a grant living longer than 120 s; 110 leaves room for clock skew. */
export const GRANT_LIFETIME_SECONDS = 110;

/** The Altinn consent a grant asks a token for: our consent request id and its `from` URN. */
export interface ConsentReference {
  id: string;
  /** `urn:altinn:person:identifier-no:<fnr>`, exactly as in the consent request. */
  from: string;
}

export interface GrantInput {
  /** The metadata's `issuer`, sent unchanged as `aud`. */
  audience: string;
  scope: string;
  consent?: ConsentReference;
  nowSeconds?: number;
}

/**
 * The JWT-bearer grant's assertion: header `alg` plus `kid` or `x5c`; claims aud, iss, scope, iat,
 * exp, jti (and authorization_details for a consent) and nothing else, since Maskinporten refuses
 * unknown claims (so no `nbf`, no `sub`).
 */
export function signGrant(config: Pick<MaskinportenConfig, 'clientId' | 'privateKey' | 'algorithm' | 'binding'>, input: GrantInput): Promise<string> {
  const iat = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = { scope: input.scope };
  if (input.consent) claims.authorization_details = [{ type: ALTINN_CONSENT_TYPE, id: input.consent.id, from: input.consent.from }];
  const header = 'kid' in config.binding ? { alg: config.algorithm, kid: config.binding.kid } : { alg: config.algorithm, x5c: config.binding.x5c };
  return new SignJWT(claims)
    .setProtectedHeader(header)
    .setAudience(input.audience)
    .setIssuer(config.clientId)
    .setIssuedAt(iat)
    .setExpirationTime(iat + GRANT_LIFETIME_SECONDS)
    .setJti(randomUUID())
    .sign(config.privateKey);
}

/** The form body of the token request. */
export function grantForm(assertion: string): string {
  return new URLSearchParams({ grant_type: JWT_BEARER_GRANT, assertion }).toString();
}
