import { createPrivateKey, createPublicKey, KeyObject, X509Certificate } from 'node:crypto';
import { algorithmOf, issuedBy, parseCertificates, registeredNames, samePublicKey } from './qseal-material';
import { upstreamUrlProblem } from '../../config/url-rules';

export type OpenbankingMode = 'api' | 'fallback';

/** SPV's published production `aud` for fallback JWTs (no test value is published). */
export const DEFAULT_FALLBACK_AUDIENCE = 'spv fallback prod';
export const DEFAULT_OPENBANKING_TIMEOUT_MS = 5000;

/** The QSeal material of the PSD2 fallback, checked at start-up. */
export interface QsealMaterial {
  key: KeyObject;
  alg: 'RS256' | 'ES256';
  /** Leaf first, each issued by the next. */
  chain: X509Certificate[];
  tppName: string;
  audience: string;
}

/** The partner bank's settings (OPENBANKING_*). A class so Nest can inject it by type. */
export class OpenbankingConfig {
  readonly mode!: OpenbankingMode;
  /** Base URL without a trailing slash (`/v1/accounts` is appended). */
  readonly apiUrl!: string;
  readonly timeoutMs!: number;
  /** `api` mode only. */
  readonly tokenUrl?: string;
  readonly audience?: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
  /** `fallback` mode only. */
  readonly qseal?: QsealMaterial;
  /** HTTPS_PROXY, from the application's configuration. */
  readonly httpsProxy?: string;

  constructor(values: Omit<OpenbankingConfig, 'toJSON'>) {
    Object.assign(this, values);
  }

  /** Keeps the client secret and the QSeal key out of anything that serialises the configuration. */
  toJSON(): Record<string, unknown> {
    return {
      mode: this.mode,
      apiUrl: this.apiUrl,
      timeoutMs: this.timeoutMs,
      ...(this.mode === 'api' ? { tokenUrl: this.tokenUrl, audience: this.audience, clientId: this.clientId, clientSecret: '[secret]' } : {}),
      ...(this.qseal ? { qseal: { alg: this.qseal.alg, tppName: this.qseal.tppName, audience: this.qseal.audience, key: '[secret]', chain: `[${this.qseal.chain.length} certificate(s)]` } } : {}),
    };
  }
}

export interface OpenbankingConfigProblem {
  variable: string;
  message: string;
}

/** What sandbox mode fills in when a variable is unset (the embedded simulator's URLs, credentials and test QSeal). */
export type OpenbankingSandboxDefaults = Partial<Record<(typeof OPENBANKING_VARIABLES)[number], string>>;

export const OPENBANKING_VARIABLES = [
  'OPENBANKING_MODE',
  'OPENBANKING_API_URL',
  'OPENBANKING_TOKEN_URL',
  'OPENBANKING_AUDIENCE',
  'OPENBANKING_CLIENT_ID',
  'OPENBANKING_CLIENT_SECRET',
  'OPENBANKING_QSEAL_KEY',
  'OPENBANKING_QSEAL_CERT_CHAIN',
  'OPENBANKING_TPP_NAME',
  'OPENBANKING_FALLBACK_AUDIENCE',
  'OPENBANKING_TIMEOUT_MS',
] as const;

/**
 * OPENBANKING_* at start-up: the settings, or one problem per wrong variable. Values are never
 * quoted in a problem (secrets and keys among them). In sandbox mode an unset variable takes its
 * sandbox default; outside it, every variable of the chosen mode is required.
 */
export function parseOpenbankingConfig(
  env: Record<string, string | undefined>,
  options: { sandbox: boolean; sandboxDefaults?: OpenbankingSandboxDefaults; now?: Date; httpsProxy?: string },
): { config?: OpenbankingConfig; problems: OpenbankingConfigProblem[] } {
  const problems: OpenbankingConfigProblem[] = [];
  const problem = (variable: string, message: string) => {
    if (!problems.some((p) => p.variable === variable)) problems.push({ variable, message });
  };
  const value = (name: (typeof OPENBANKING_VARIABLES)[number]): string | undefined => {
    const given = env[name]?.trim();
    if (given) return given;
    return options.sandbox ? options.sandboxDefaults?.[name]?.trim() || undefined : undefined;
  };
  const required = (name: (typeof OPENBANKING_VARIABLES)[number], why: string): string => {
    const v = value(name);
    if (!v) problem(name, `is required ${why}`);
    return v ?? '';
  };

  const mode = value('OPENBANKING_MODE') ?? 'api';
  if (mode !== 'api' && mode !== 'fallback') problem('OPENBANKING_MODE', 'must be api or fallback');

  const timeoutText = value('OPENBANKING_TIMEOUT_MS');
  const timeoutMs = timeoutText === undefined ? DEFAULT_OPENBANKING_TIMEOUT_MS : Number(timeoutText);
  if (!/^\d+$/.test(timeoutText ?? '0') || timeoutMs < 100 || timeoutMs > 120_000) problem('OPENBANKING_TIMEOUT_MS', 'must be an integer from 100 to 120000');

  const apiUrl = secureUrl('OPENBANKING_API_URL', required('OPENBANKING_API_URL', 'outside sandbox mode'), problem);
  let config: Omit<OpenbankingConfig, 'mode' | 'apiUrl' | 'timeoutMs' | 'toJSON'> = {};
  if (mode === 'api') {
    const why = 'when OPENBANKING_MODE=api';
    config = {
      tokenUrl: secureUrl('OPENBANKING_TOKEN_URL', required('OPENBANKING_TOKEN_URL', why), problem),
      audience: required('OPENBANKING_AUDIENCE', why),
      clientId: required('OPENBANKING_CLIENT_ID', why),
      clientSecret: required('OPENBANKING_CLIENT_SECRET', why),
    };
  } else if (mode === 'fallback') {
    const qseal = parseQseal(
      required('OPENBANKING_QSEAL_KEY', 'when OPENBANKING_MODE=fallback'),
      required('OPENBANKING_QSEAL_CERT_CHAIN', 'when OPENBANKING_MODE=fallback'),
      required('OPENBANKING_TPP_NAME', 'when OPENBANKING_MODE=fallback'),
      value('OPENBANKING_FALLBACK_AUDIENCE') ?? DEFAULT_FALLBACK_AUDIENCE,
      options.now ?? new Date(),
      problem,
    );
    config = { qseal };
  }
  if (problems.length > 0) return { problems };
  return { config: new OpenbankingConfig({ mode: mode as OpenbankingMode, apiUrl, timeoutMs, ...config, httpsProxy: options.httpsProxy }), problems };
}

function parseQseal(
  keyPem: string,
  chainPem: string,
  tppName: string,
  audience: string,
  now: Date,
  problem: (variable: string, message: string) => void,
): QsealMaterial | undefined {
  let key: KeyObject | undefined;
  let alg: QsealMaterial['alg'] | undefined;
  if (keyPem) {
    try {
      key = createPrivateKey(pemWithNewlines(keyPem));
      alg = algorithmOf(key);
      if (!alg) problem('OPENBANKING_QSEAL_KEY', 'must be an RSA key (RS256) or a P-256 EC key (ES256)');
      else if (alg === 'RS256' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) problem('OPENBANKING_QSEAL_KEY', 'must be an RSA key of at least 2048 bits');
    } catch {
      problem('OPENBANKING_QSEAL_KEY', 'must be a PEM private key (PKCS#8 or PKCS#1/SEC1), unencrypted');
    }
  }
  let chain: X509Certificate[] = [];
  if (chainPem) {
    try {
      chain = parseCertificates(pemWithNewlines(chainPem));
    } catch {
      chain = [];
    }
    if (chain.length === 0) problem('OPENBANKING_QSEAL_CERT_CHAIN', 'must hold one or more PEM certificates, the QSeal certificate first');
  }
  const leaf = chain[0];
  if (leaf) {
    const outOfOrder = chain.findIndex((cert, i) => i + 1 < chain.length && !issuedBy(cert, chain[i + 1]));
    if (outOfOrder >= 0) problem('OPENBANKING_QSEAL_CERT_CHAIN', `is not in order: certificate ${outOfOrder + 1} is not issued by certificate ${outOfOrder + 2} (leaf first, then each issuer)`);
    if (new Date(leaf.validTo) < now || new Date(leaf.validFrom) > now) problem('OPENBANKING_QSEAL_CERT_CHAIN', `the QSeal certificate is not valid now (valid ${leaf.validFrom} to ${leaf.validTo})`);
    if (key && alg && !samePublicKey(createPublicKey(key), leaf.publicKey)) problem('OPENBANKING_QSEAL_KEY', "does not match the public key of the chain's first (QSeal) certificate");
    // Open question 4: SPV does not say whether `iss` is the subject's O or CN; either is accepted.
    const names = registeredNames(leaf);
    if (tppName && !names.includes(tppName)) problem('OPENBANKING_TPP_NAME', "must equal the QSeal certificate subject's O or CN exactly");
  }
  if (!key || !alg || !leaf || !tppName) return undefined;
  return { key, alg, chain, tppName, audience };
}

/** PEM given in one line (`\n` escapes, as env files and Helm values often carry it) is restored. */
function pemWithNewlines(pem: string): string {
  return pem.includes('\\n') ? pem.replace(/\\n/g, '\n') : pem;
}

function secureUrl(variable: string, value: string, problem: (variable: string, message: string) => void): string {
  if (!value) return value;
  const message = upstreamUrlProblem(value);
  if (message) problem(variable, message);
  return value.replace(/\/+$/, '');
}
