import { createHash, randomUUID } from 'node:crypto';
import { type CryptoKey, generateKeyPair, SignJWT, type JWK } from 'jose';
import { ACCESS_TOKEN_TTL_S } from './authorization-grants';
import type { IdTokenFault } from './nogi-sandbox.types';

export interface IdTokenClaims {
  clientId: string;
  nonce?: string;
  consentId: string;
  nationalId: string;
  accessToken: string;
}

export interface IdTokenIssuer {
  privateKey: CryptoKey;
  jwk: JWK;
  issuer: string;
  /** Pairwise `sub` for (client, person). */
  subject: string;
  nowMs: number;
  /** A test fault that forges the token in one way (see NogiSandbox.idTokenFault). */
  fault: IdTokenFault | undefined;
}

/** An ID token as NoGi's Hydra signs it (RS256, `aud` an array, `pid` and `consent_id` claims). */
export async function signIdToken(by: IdTokenIssuer, claims: IdTokenClaims): Promise<string> {
  const { privateKey, jwk, fault } = by;
  const iat = Math.floor(by.nowMs / 1000);
  const atHash = createHash('sha256').update(claims.accessToken).digest().subarray(0, 16).toString('base64url');
  const payload: Record<string, unknown> = {
    pid: fault === 'other_pid' ? (claims.nationalId === '29868099311' ? '14842249091' : '29868099311') : claims.nationalId,
    consent_id: claims.consentId,
    at_hash: atHash,
    auth_time: iat,
    rat: iat,
    sid: randomUUID(),
  };
  if (claims.nonce !== undefined) payload.nonce = fault === 'wrong_nonce' ? `${claims.nonce}-forged` : claims.nonce;
  const audience = fault === 'wrong_audience' ? ['another-client'] : [claims.clientId];
  if (fault === 'alg_none') {
    const body = { ...payload, iss: by.issuer, aud: audience, sub: by.subject, iat, exp: iat + ACCESS_TOKEN_TTL_S };
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    return `${part({ alg: 'none', typ: 'JWT' })}.${part(body)}.`;
  }
  const signingKey = fault === 'unknown_key' ? (await generateKeyPair('RS256')).privateKey : privateKey;
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'RS256', kid: fault === 'unknown_key' ? 'not-in-jwks' : jwk.kid, typ: 'JWT' })
    .setIssuer(by.issuer)
    // Hydra writes `aud` as an array holding the client id.
    .setAudience(audience)
    .setSubject(by.subject)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ACCESS_TOKEN_TTL_S)
    .setJti(randomUUID())
    .sign(signingKey);
}
