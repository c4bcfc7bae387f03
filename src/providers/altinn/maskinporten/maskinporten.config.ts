import { createPrivateKey, createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';
import { altinnEnvOf, altinnTimeoutOf, checkUpstreamUrl, type ConfigProblem, type EnvVars, type SliceResult } from '../altinn-env';

export const MASKINPORTEN_ISSUERS = { tt02: 'https://test.maskinporten.no/', prod: 'https://maskinporten.no/' } as const;

export type GrantAlgorithm = 'RS256' | 'RS384' | 'RS512';
const ALGORITHMS: readonly GrantAlgorithm[] = ['RS256', 'RS384', 'RS512'];

/** How Maskinporten knows our grant's key: a key id registered on the client, or a business certificate chain. */
export type GrantKeyBinding = { kid: string } | { x5c: string[] };

export interface MaskinportenConfig {
  /** As configured (the grant's `aud` is the metadata's own `issuer` string, not this). */
  issuer: string;
  clientId: string;
  privateKey: KeyObject;
  algorithm: GrantAlgorithm;
  binding: GrantKeyBinding;
  timeoutMs: number;
}

/** What sandbox mode passes in for values it generates (a key per run, the simulator's URL and client). */
export interface MaskinportenSandboxDefaults {
  issuer: string;
  clientId: string;
  /** PEM (PKCS#8), JWK JSON, or the key itself. */
  privateKey: string | KeyObject;
  kid: string;
}

/**
 * The Maskinporten slice of the configuration: MASKINPORTEN_ISSUER (preset from ALTINN_ENV),
 * MASKINPORTEN_CLIENT_ID, MASKINPORTEN_PRIVATE_KEY, exactly one of MASKINPORTEN_KID /
 * MASKINPORTEN_CERT_CHAIN, ALTINN_TIMEOUT_MS. Problems name the variable, never its value.
 */
export function loadMaskinportenConfig(vars: EnvVars, sandboxDefaults?: MaskinportenSandboxDefaults): SliceResult<MaskinportenConfig> {
  const problems: ConfigProblem[] = [];
  const env = altinnEnvOf(vars, problems);
  const timeoutMs = altinnTimeoutOf(vars, problems);
  const issuer = checkUpstreamUrl('MASKINPORTEN_ISSUER', vars.MASKINPORTEN_ISSUER ?? sandboxDefaults?.issuer ?? MASKINPORTEN_ISSUERS[env], problems);

  const clientId = vars.MASKINPORTEN_CLIENT_ID ?? sandboxDefaults?.clientId;
  if (!clientId) problems.push({ variable: 'MASKINPORTEN_CLIENT_ID', message: 'is required' });

  const keySource = vars.MASKINPORTEN_PRIVATE_KEY ?? sandboxDefaults?.privateKey;
  const key = keySource === undefined || keySource === '' ? undefined : readPrivateKey(keySource);
  if (keySource === undefined || keySource === '') problems.push({ variable: 'MASKINPORTEN_PRIVATE_KEY', message: 'is required' });
  else if (typeof key === 'string') problems.push({ variable: 'MASKINPORTEN_PRIVATE_KEY', message: key });

  let binding: GrantKeyBinding | undefined;
  const kid = vars.MASKINPORTEN_KID;
  const chain = vars.MASKINPORTEN_CERT_CHAIN;
  if (kid && chain) {
    problems.push({ variable: 'MASKINPORTEN_KID', message: 'give exactly one of MASKINPORTEN_KID and MASKINPORTEN_CERT_CHAIN' });
  } else if (chain) {
    const x5c = readCertificateChain(chain, typeof key === 'object' ? key.key : undefined);
    if (typeof x5c === 'string') problems.push({ variable: 'MASKINPORTEN_CERT_CHAIN', message: x5c });
    else binding = { x5c };
  } else if (kid || sandboxDefaults?.kid) {
    binding = { kid: (kid || sandboxDefaults?.kid) as string };
  } else {
    problems.push({ variable: 'MASKINPORTEN_KID', message: 'is required unless MASKINPORTEN_CERT_CHAIN is given (exactly one of the two)' });
  }

  if (problems.length > 0 || !clientId || typeof key !== 'object' || !binding) return { ok: false, problems };
  return { ok: true, config: { issuer, clientId, privateKey: key.key, algorithm: key.algorithm, binding, timeoutMs } };
}

/** An RSA private key (≥ 2048 bits) from PEM PKCS#8 or a JWK; its algorithm is the JWK's `alg` when it names one. */
function readPrivateKey(source: string | KeyObject): { key: KeyObject; algorithm: GrantAlgorithm } | string {
  let key: KeyObject;
  let algorithm: GrantAlgorithm = 'RS256';
  try {
    if (typeof source !== 'string') {
      key = source;
    } else if (source.trim().startsWith('{')) {
      const jwk = JSON.parse(source) as { alg?: unknown; d?: unknown };
      if (typeof jwk.d !== 'string') return 'the JWK is not a private key';
      if (jwk.alg !== undefined) {
        if (!ALGORITHMS.includes(jwk.alg as GrantAlgorithm)) return 'the JWK alg must be RS256, RS384 or RS512';
        algorithm = jwk.alg as GrantAlgorithm;
      }
      key = createPrivateKey({ key: jwk as never, format: 'jwk' });
    } else {
      if (!/-----BEGIN PRIVATE KEY-----/.test(source)) return 'must be a PEM PKCS#8 key (BEGIN PRIVATE KEY) or a JWK';
      key = createPrivateKey({ key: source.replace(/\\n/g, '\n'), format: 'pem' });
    }
  } catch {
    // The parser's message could quote the key: never echo it.
    return 'is not a readable private key (PEM PKCS#8 or JWK)';
  }
  if (key.type !== 'private' || key.asymmetricKeyType !== 'rsa') return 'must be an RSA private key';
  if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) return 'must be an RSA key of at least 2048 bits';
  return { key, algorithm };
}

/** PEM chain → x5c (standard base64 DER, leaf first); the leaf must hold our private key's public half. */
function readCertificateChain(pem: string, privateKey: KeyObject | undefined): string[] | string {
  const blocks = pem.replace(/\\n/g, '\n').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (!blocks) return 'must hold at least one PEM certificate';
  let certificates: X509Certificate[];
  try {
    certificates = blocks.map((block) => new X509Certificate(block));
  } catch {
    return 'holds a certificate that cannot be read';
  }
  if (privateKey) {
    const ours = createPublicKey(privateKey).export({ format: 'jwk' });
    const leaf = certificates[0].publicKey.export({ format: 'jwk' });
    if (ours.n !== leaf.n || ours.e !== leaf.e) return 'the first (leaf) certificate does not belong to MASKINPORTEN_PRIVATE_KEY';
  }
  return certificates.map((c) => c.raw.toString('base64'));
}
