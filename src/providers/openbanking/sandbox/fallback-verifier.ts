import { createPublicKey, X509Certificate } from 'node:crypto';
import { compactVerify, decodeProtectedHeader } from 'jose';
import { algorithmOf, issuedBy, registeredNames, samePublicKey, sha1Kid, sha1X5t } from '../qseal-material';

/** Why the simulator refused the fallback headers: stable ids tests assert on (401 body `tppMessages[0].text`). */
export type FallbackRefusal =
  | 'FALLBACK_HEADERS_INCOMPLETE'
  | 'CERT_HEADER_MALFORMED'
  | 'CERT_CHAIN_BROKEN'
  | 'CERT_UNTRUSTED'
  | 'CERT_NOT_VALID_NOW'
  | 'JWK_KEY_MISMATCH'
  | 'JWT_MALFORMED'
  | 'JWT_ALG_MISMATCH'
  | 'JWT_KID_MISMATCH'
  | 'JWT_X5T_MISMATCH'
  | 'JWT_SIGNATURE_INVALID'
  | 'JWT_ISS_MISMATCH'
  | 'JWT_AUD_MISMATCH'
  | 'JWT_TIMES_INVALID'
  | 'JWT_NOT_YET_VALID'
  | 'JWT_EXPIRED'
  | 'JWT_LIFETIME_TOO_LONG'
  | 'JWT_JTI_INVALID'
  | 'JWT_JTI_REUSED';

export interface FallbackContext {
  trusted: readonly X509Certificate[];
  audience: string;
  nowMs: number;
  /** jti → the JWT that first carried it, until its expiry (epoch s). */
  seenJti: Map<string, { jwt: string; exp: number }>;
}

const SKEW_SECONDS = 30;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const JTI = /^([0-9a-fA-F]{32}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/;

class Refused extends Error {
  constructor(readonly reason: FallbackRefusal) {
    super(reason);
  }
}

/**
 * SPV's PSD2 fallback check as we read it: the JWK's x5c chain (standard base64 DER, leaf first)
 * links up to a trusted CA and is valid now, the JWK is the leaf's key, the JWT is signed by that
 * key with kid/x5t naming the leaf, iss is the certificate's O or CN, aud matches, iat = nbf ≤ now
 * < exp ≤ iat + 1 h, and a jti is never seen on another JWT. The same JWT may be sent again within
 * its hour (SPV: "a new token should be created after one hour").
 */
export async function verifyFallbackHeaders(certHeader: string | undefined, jwt: string | undefined, ctx: FallbackContext): Promise<{ tppName: string } | { refused: FallbackRefusal }> {
  try {
    if (!certHeader || !jwt) throw new Refused('FALLBACK_HEADERS_INCOMPLETE');
    const { jwk, chain } = parseCertHeader(certHeader);
    checkChain(chain, ctx);
    const leaf = chain[0];
    let jwkKey;
    try {
      jwkKey = createPublicKey({ key: jwk, format: 'jwk' });
    } catch {
      throw new Refused('CERT_HEADER_MALFORMED');
    }
    if (jwkKey.type !== 'public' || !samePublicKey(jwkKey, leaf.publicKey)) throw new Refused('JWK_KEY_MISMATCH');
    const claims = await checkJwt(jwt, leaf);
    return { tppName: checkClaims(jwt, claims, leaf, ctx) };
  } catch (error) {
    if (error instanceof Refused) return { refused: error.reason };
    throw error;
  }
}

function parseCertHeader(header: string): { jwk: Record<string, unknown> & { kty: string }; chain: X509Certificate[] } {
  let jwk: Record<string, unknown>;
  try {
    if (!BASE64.test(header)) throw new Error('not base64');
    jwk = JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new Refused('CERT_HEADER_MALFORMED');
  }
  const x5c = jwk?.x5c;
  if (typeof jwk?.kty !== 'string' || !Array.isArray(x5c) || x5c.length === 0 || !x5c.every((c) => typeof c === 'string' && BASE64.test(c))) throw new Refused('CERT_HEADER_MALFORMED');
  try {
    return { jwk: jwk as Record<string, unknown> & { kty: string }, chain: x5c.map((c: string) => new X509Certificate(Buffer.from(c, 'base64'))) };
  } catch {
    throw new Refused('CERT_HEADER_MALFORMED');
  }
}

function checkChain(chain: X509Certificate[], ctx: FallbackContext): void {
  for (let i = 0; i + 1 < chain.length; i++) if (!issuedBy(chain[i], chain[i + 1])) throw new Refused('CERT_CHAIN_BROKEN');
  const top = chain[chain.length - 1];
  const anchored = ctx.trusted.some((ca) => ca.fingerprint256 === top.fingerprint256 || issuedBy(top, ca));
  if (!anchored) throw new Refused('CERT_UNTRUSTED');
  for (const cert of chain) {
    if (Date.parse(cert.validFrom) > ctx.nowMs || Date.parse(cert.validTo) < ctx.nowMs) throw new Refused('CERT_NOT_VALID_NOW');
  }
}

async function checkJwt(jwt: string, leaf: X509Certificate): Promise<Record<string, unknown>> {
  let header;
  try {
    header = decodeProtectedHeader(jwt);
  } catch {
    throw new Refused('JWT_MALFORMED');
  }
  const alg = algorithmOf(leaf.publicKey);
  if (header.typ !== 'JWT') throw new Refused('JWT_MALFORMED');
  if (!alg || header.alg !== alg) throw new Refused('JWT_ALG_MISMATCH');
  if (header.kid !== sha1Kid(leaf)) throw new Refused('JWT_KID_MISMATCH');
  if (header.x5t !== sha1X5t(leaf)) throw new Refused('JWT_X5T_MISMATCH');
  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(jwt, leaf.publicKey, { algorithms: [alg] }));
  } catch {
    throw new Refused('JWT_SIGNATURE_INVALID');
  }
  try {
    const claims = JSON.parse(Buffer.from(payload).toString('utf8')) as unknown;
    if (typeof claims !== 'object' || claims === null) throw new Error('not an object');
    return claims as Record<string, unknown>;
  } catch {
    throw new Refused('JWT_MALFORMED');
  }
}

function checkClaims(jwt: string, claims: Record<string, unknown>, leaf: X509Certificate, ctx: FallbackContext): string {
  const { iss, aud, iat, nbf, exp, jti } = claims;
  if (typeof iss !== 'string' || !registeredNames(leaf).includes(iss)) throw new Refused('JWT_ISS_MISMATCH');
  if (!(aud === ctx.audience || (Array.isArray(aud) && aud.includes(ctx.audience)))) throw new Refused('JWT_AUD_MISMATCH');
  if (!Number.isInteger(iat) || !Number.isInteger(nbf) || !Number.isInteger(exp) || iat !== nbf) throw new Refused('JWT_TIMES_INVALID');
  const now = Math.floor(ctx.nowMs / 1000);
  if ((nbf as number) > now + SKEW_SECONDS) throw new Refused('JWT_NOT_YET_VALID');
  if ((exp as number) <= now) throw new Refused('JWT_EXPIRED');
  if ((exp as number) - (iat as number) > 3600) throw new Refused('JWT_LIFETIME_TOO_LONG');
  if (typeof jti !== 'string' || !JTI.test(jti)) throw new Refused('JWT_JTI_INVALID');
  for (const [seen, entry] of ctx.seenJti) if (entry.exp <= now) ctx.seenJti.delete(seen);
  const seen = ctx.seenJti.get(jti);
  if (seen && seen.jwt !== jwt) throw new Refused('JWT_JTI_REUSED');
  ctx.seenJti.set(jti, { jwt, exp: exp as number });
  return iss;
}
