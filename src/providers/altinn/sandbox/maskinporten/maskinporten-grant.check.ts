import { createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';
import { compactVerify, type CryptoKey, decodeJwt, decodeProtectedHeader, importJWK, type JWTPayload } from 'jose';
import type { AltinnConsentView } from '../altinn-consent-view';
import { CONSENT_RESOURCE_SCOPES, type IssuedTokenInput, type MaskinportenSandbox, type MaskinportenSandboxClient } from './maskinporten-sandbox.state';

export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const ALGORITHMS = ['RS256', 'RS384', 'RS512'];
/** The documented claims of a JWT grant; anything else is refused, as Maskinporten does. */
const KNOWN_CLAIMS = new Set(['aud', 'iss', 'scope', 'iat', 'exp', 'jti', 'resource', 'pid', 'consumer_org', 'iss_onbehalfof', 'authorization_details']);
const CLOCK_SKEW_S = 10;
const MAX_LIFETIME_S = 120;

export interface GrantRefusal {
  status: number;
  error: string;
  error_description: string;
}

const refuse = (error: string, error_description: string, status = 400): GrantRefusal => ({ status, error, error_description });
const invalidAssertion = (why: string) => refuse('invalid_grant', `Invalid assertion. ${why}`);

/**
 * Checks a JWT-bearer token request as Maskinporten does: grant type, the assertion's signature
 * (registered key by `kid`, or the `x5c` leaf certificate), `aud` = the issuer exactly, `iat`
 * within ±10 s, `exp − iat` ≤ 120 s, a `jti` never reused, no unknown claim, scopes allowed for
 * the client, and for an Altinn consent in `authorization_details` the consent itself.
 */
export async function checkGrant(sandbox: MaskinportenSandbox, form: Record<string, unknown>): Promise<IssuedTokenInput | GrantRefusal> {
  if (form.grant_type !== JWT_BEARER) return refuse('unsupported_grant_type', 'Unsupported grant_type');
  const assertion = form.assertion;
  if (typeof assertion !== 'string' || assertion.length === 0) return refuse('invalid_request', 'Missing assertion');
  let header: ReturnType<typeof decodeProtectedHeader>;
  let claims: JWTPayload;
  try {
    header = decodeProtectedHeader(assertion);
    claims = decodeJwt(assertion);
  } catch {
    return invalidAssertion('Malformed JWT');
  }
  if (typeof header.alg !== 'string' || !ALGORITHMS.includes(header.alg)) return invalidAssertion('Unsupported alg');
  const client = sandbox.client(typeof claims.iss === 'string' ? claims.iss : undefined);
  if (!client) return refuse('invalid_client', 'Invalid assertion. Client authentication failed. Unknown client');

  const key = await keyOf(sandbox, client, header);
  if (typeof key === 'string') return invalidAssertion(`Client authentication failed. ${key}`);
  try {
    await compactVerify(assertion, key, { algorithms: [header.alg] });
  } catch {
    return invalidAssertion('Client authentication failed. Invalid signature');
  }

  const unknown = Object.keys(claims).filter((name) => !KNOWN_CLAIMS.has(name));
  if (unknown.length > 0) return invalidAssertion(`Unknown claims: ${unknown.join(', ').slice(0, 100)}`);
  if (claims.aud !== sandbox.issuer) return invalidAssertion('Client authentication failed. Invalid JWT claim aud');
  const now = Math.floor(sandbox.now() / 1000);
  if (typeof claims.iat !== 'number' || Math.abs(claims.iat - now) > CLOCK_SKEW_S) return invalidAssertion('Invalid JWT claim iat');
  if (typeof claims.exp !== 'number' || claims.exp <= now) return invalidAssertion('Expired JWT');
  if (claims.exp - claims.iat > MAX_LIFETIME_S) return invalidAssertion(`The JWT lifetime exceeds ${MAX_LIFETIME_S} seconds`);
  if (claims.jti !== undefined && (typeof claims.jti !== 'string' || !sandbox.useJti(client.clientId, claims.jti))) return refuse('invalid_grant', 'Grant is used before');

  const scope = typeof claims.scope === 'string' ? claims.scope.trim() : '';
  const scopes = scope.split(/\s+/).filter(Boolean);
  if (scopes.length === 0 || scopes.some((s) => !client.scopes.includes(s))) return refuse('invalid_scope', 'Token request contains invalid scopes for client');

  const clientAmr = 'x5c' in header ? 'virksomhetssertifikat' : 'private_key_jwt';
  if (claims.authorization_details === undefined) return { client, scope: scopes.join(' '), clientAmr };
  const consent = checkConsent(sandbox, client, scopes, claims.authorization_details);
  if ('error' in consent) return consent;
  return { client, scope: scopes.join(' '), clientAmr, consent };
}

async function keyOf(sandbox: MaskinportenSandbox, client: MaskinportenSandboxClient, header: { kid?: unknown; x5c?: unknown; alg?: unknown }): Promise<KeyObject | CryptoKey | Uint8Array | string> {
  if (header.kid !== undefined && header.x5c !== undefined) return 'Give kid or x5c, not both';
  if (typeof header.kid === 'string') {
    const registered = client.keys?.find((k) => k.kid === header.kid);
    if (!registered) return 'Unknown kid';
    if ('type' in registered.key && typeof (registered.key as KeyObject).export === 'function') return registered.key as KeyObject;
    return importJWK({ ...(registered.key as object), alg: header.alg as string });
  }
  if (Array.isArray(header.x5c) && header.x5c.length > 0 && header.x5c.every((c) => typeof c === 'string')) {
    if (!client.certificate) return 'Certificate not accepted for this client';
    let leaf: X509Certificate;
    try {
      leaf = new X509Certificate(Buffer.from(header.x5c[0] as string, 'base64'));
    } catch {
      return 'Unreadable certificate';
    }
    const now = sandbox.now();
    if (Date.parse(leaf.validFrom) > now || Date.parse(leaf.validTo) < now) return 'Certificate not valid now';
    const caPem = client.certificate.trustedCaPem;
    if (caPem) {
      const ca = new X509Certificate(caPem);
      if (!leaf.checkIssued(ca) || !leaf.verify(ca.publicKey)) return 'Certificate not issued by a trusted CA';
    }
    return createPublicKey(leaf.publicKey.export({ format: 'pem', type: 'spki' }));
  }
  return 'Missing kid or x5c';
}

/** The Altinn consent of a consent grant: it must exist, be accepted and valid, between these parties, for these scopes. */
function checkConsent(sandbox: MaskinportenSandbox, client: MaskinportenSandboxClient, scopes: string[], details: unknown): AltinnConsentView | GrantRefusal {
  const bad = (why: string) => refuse('invalid_authorization_details', why);
  if (!Array.isArray(details) || details.length !== 1) return bad('authorization_details must hold exactly one entry');
  const detail = details[0] as { type?: unknown; id?: unknown; from?: unknown };
  if (detail?.type !== 'urn:altinn:consent') return bad('Unsupported authorization_details type');
  const extra = Object.keys(detail).filter((k) => !['type', 'id', 'from'].includes(k));
  if (typeof detail.id !== 'string' || typeof detail.from !== 'string' || extra.length > 0) return bad('A consent entry has type, id and from');
  const consent = sandbox.consentLookup(detail.id);
  if (!consent) return bad('Consent not found');
  if (consent.status !== 'accepted') return bad(`Consent is ${consent.status}, not accepted`);
  if (consent.validTo.getTime() <= sandbox.now()) return bad('Consent is expired');
  if (consent.from !== detail.from) return bad('Consent party mismatch (from)');
  if (consent.to !== `urn:altinn:organization:identifier-no:${client.orgNumber}`) return bad('Consent is not given to this client (to)');
  const allowed = consent.rights.flatMap((r) => CONSENT_RESOURCE_SCOPES[r.resource] ?? []);
  if (scopes.some((s) => !allowed.includes(s))) return refuse('invalid_scope', 'Scope does not belong to the consented resource');
  return consent;
}
