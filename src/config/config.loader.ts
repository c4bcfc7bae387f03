import { randomBytes } from 'node:crypto';
import { plainToInstance } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, validateSync } from 'class-validator';
import { PROVIDERS, type Provider } from '../providers/datasets';
import { OpenbankingConfig, OpenbankingSandboxDefaults, parseOpenbankingConfig } from '../providers/openbanking/openbanking.config';
import { type AltinnSettings, loadAltinnSettings } from '../providers/altinn/altinn-settings';
import { AppConfig, NogiEnv } from './app-config';
import { isLoopback, upstreamUrlProblem } from './url-rules';

const NOGI_PRESETS: Record<Exclude<NogiEnv, 'sandbox'>, { issuer: string; api: string }> = {
  preprod: { issuer: 'https://access-preprod.norskgjeld.no', api: 'https://api-preprod.norskgjeld.no' },
  prod: { issuer: 'https://access.norskgjeld.no', api: 'https://api.norskgjeld.no' },
};

/** Where the embedded parts live on the service's own port in sandbox mode. */
export const SANDBOX_PATHS = { nogi: '/sandbox/nogi', idp: '/sandbox/idp' } as const;
export const SANDBOX_CLIENT = { id: 'nogi-consent-bff-sandbox', secret: 'sandbox-secret-not-for-production' } as const;
export const SANDBOX_AUDIENCE = 'nogi-consent-bff';

/** The environment variables of the contract, exactly as named there. */
class EnvironmentVariables {
  // Only `production` means anything here (it refuses sandbox mode); staging, test… are all accepted.
  @IsOptional() @IsString() NODE_ENV?: string;
  @IsOptional() @IsInt() @Min(1) @Max(65535) PORT?: number;
  @IsOptional() @IsInt() @Min(1) @Max(3600) SHUTDOWN_DRAIN_SECONDS?: number;
  @IsOptional() @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'must be a postgres:// or postgresql:// URL' })
  DATABASE_URL?: string;
  @IsOptional() @Matches(/^rediss?:\/\/\S+$/, { message: 'must be a redis:// or rediss:// URL' }) REDIS_URL?: string;
  @IsOptional() @IsString() PROVIDERS?: string;
  @IsOptional() @IsIn(['sandbox', 'preprod', 'prod']) NOGI_ENV?: NogiEnv;
  @IsOptional() @IsString() NOGI_ISSUER?: string;
  @IsOptional() @IsString() NOGI_API_URL?: string;
  @IsOptional() @IsString() NOGI_CLIENT_ID?: string;
  @IsOptional() @IsString() NOGI_CLIENT_SECRET?: string;
  @IsOptional() @IsString() NOGI_REDIRECT_URI?: string;
  @IsOptional() @IsInt() @Min(100) @Max(120000) NOGI_TIMEOUT_MS?: number;
  @IsOptional() @IsString() RETURN_URL_ALLOWLIST?: string;
  @IsOptional() @IsString() CORS_ALLOWED_ORIGINS?: string;
  @IsOptional() @IsString() AUTH_ISSUER?: string;
  @IsOptional() @IsString() AUTH_AUDIENCE?: string;
  @IsOptional() @IsString() AUTH_JWKS_URL?: string;
  @IsOptional() @Matches(/^[A-Za-z_][\w.:-]*$/, { message: 'must be a JWT claim name' }) AUTH_NATIONAL_ID_CLAIM?: string;
  @IsOptional() @IsString() DATA_ENCRYPTION_KEY?: string;
  @IsOptional() @IsString() NATIONAL_ID_HMAC_KEY?: string;
  @IsOptional() @IsInt() @Min(60) @Max(3600) FLOW_TTL_SECONDS?: number;
  @IsOptional() @IsInt() @Min(10) @Max(86400) FLOW_DEBT_TTL_SECONDS?: number;
  @IsOptional() @IsInt() @Min(0) @Max(86400) FEED_POLL_INTERVAL_SECONDS?: number;
  @IsOptional() @IsInt() @Min(1) @Max(8760) REVOCATION_GIVE_UP_HOURS?: number;
  @IsOptional() @IsString() HTTPS_PROXY?: string;
}

const INTEGER_VARIABLES = [
  'PORT',
  'SHUTDOWN_DRAIN_SECONDS',
  'NOGI_TIMEOUT_MS',
  'FLOW_TTL_SECONDS',
  'FLOW_DEBT_TTL_SECONDS',
  'FEED_POLL_INTERVAL_SECONDS',
  'REVOCATION_GIVE_UP_HOURS',
] as const;

/** Start-up refusal: one message naming every variable that is missing or wrong. */
export class ConfigError extends Error {
  constructor(readonly problems: ReadonlyArray<{ variable: string; message: string }>) {
    super(
      `Invalid configuration:\n${problems.map((p) => `  - ${p.variable}: ${p.message}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  /**
   * Sandbox mode: OPENBANKING_* defaults of the partner-bank simulator (its test QSeal is made
   * asynchronously). Without them, sandbox mode leaves `openbanking` to the sandbox runtime.
   */
  openbankingSandboxDefaults?: OpenbankingSandboxDefaults;
}

export function loadConfig(env: NodeJS.ProcessEnv, options: LoadConfigOptions = {}): AppConfig {
  const problems: Array<{ variable: string; message: string }> = [];
  const raw: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || value.trim() === '') continue;
    raw[name] = value.trim();
  }
  for (const name of INTEGER_VARIABLES) {
    if (raw[name] === undefined) continue;
    const text = String(raw[name]);
    raw[name] = /^-?\d+$/.test(text) ? Number(text) : text;
  }
  const vars = plainToInstance(EnvironmentVariables, raw, { excludeExtraneousValues: false });
  for (const error of validateSync(vars, { whitelist: false, skipMissingProperties: false })) {
    problems.push({ variable: error.property, message: Object.values(error.constraints ?? {}).join('; ') });
  }
  const bad = new Set(problems.map((p) => p.variable));
  const problem = (variable: string, message: string) => {
    if (!bad.has(variable)) problems.push({ variable, message });
    bad.add(variable);
  };

  const production = vars.NODE_ENV === 'production';
  const nogiEnv: NogiEnv = vars.NOGI_ENV ?? 'sandbox';
  const sandbox = nogiEnv === 'sandbox';
  if (sandbox && production) {
    problem('NOGI_ENV', 'sandbox mode is refused when NODE_ENV=production; set NOGI_ENV to preprod or prod');
  }
  const providers = parseProviders(vars.PROVIDERS, sandbox, problem);
  const port = vars.PORT ?? 3000;
  const local = `http://localhost:${port}`;
  const required = (name: keyof EnvironmentVariables, sandboxDefault: string | undefined): string => {
    const value = vars[name] as string | undefined;
    if (value !== undefined) return value;
    if (sandbox && sandboxDefault !== undefined) return sandboxDefault;
    problem(name, sandbox ? 'is required' : 'is required outside sandbox mode');
    return '';
  };
  const preset = sandbox ? undefined : NOGI_PRESETS[nogiEnv];

  const nogiIssuer = secureUrl('NOGI_ISSUER', vars.NOGI_ISSUER ?? preset?.issuer ?? `${local}${SANDBOX_PATHS.nogi}`);
  const nogiApiUrl = secureUrl('NOGI_API_URL', vars.NOGI_API_URL ?? preset?.api ?? `${local}${SANDBOX_PATHS.nogi}`);
  const nogiEnabled = providers.includes('nogi');
  /** A NoGi variable: required only when NoGi is enabled (PROVIDERS). */
  const forNogi = (name: keyof EnvironmentVariables, sandboxDefault: string): string => (nogiEnabled ? required(name, sandboxDefault) : ((vars[name] as string | undefined) ?? ''));
  const nogiRedirectUri = secureUrl('NOGI_REDIRECT_URI', forNogi('NOGI_REDIRECT_URI', `${local}/v1/consent-flows/callback`));
  const authIssuer = required('AUTH_ISSUER', `${local}${SANDBOX_PATHS.idp}`);
  const authJwksUrl = secureUrl('AUTH_JWKS_URL', required('AUTH_JWKS_URL', `${local}${SANDBOX_PATHS.idp}/.well-known/jwks.json`));

  function secureUrl(variable: string, value: string): string {
    if (!value) return value;
    const message = upstreamUrlProblem(value);
    if (message) problem(variable, message);
    return value.replace(/\/+$/, '');
  }

  const origins = (variable: string, value: string | undefined, fallback: string[]): string[] => {
    if (value === undefined) return fallback;
    const list = value.split(',').map((s) => s.trim()).filter(Boolean);
    for (const entry of list) {
      try {
        const url = new URL(entry);
        if (url.origin !== entry.replace(/\/$/, '') || url.origin === 'null') throw new Error('not an origin');
      } catch {
        problem(variable, `"${entry}" is not an origin (scheme://host[:port], no path)`);
      }
    }
    return list.map((o) => o.replace(/\/$/, ''));
  };
  const returnUrlAllowlist = origins('RETURN_URL_ALLOWLIST', vars.RETURN_URL_ALLOWLIST, sandbox ? [local, 'http://localhost:5173', 'http://localhost:8080'] : []);
  if (!sandbox && returnUrlAllowlist.length === 0 && !bad.has('RETURN_URL_ALLOWLIST')) {
    problem('RETURN_URL_ALLOWLIST', 'is required outside sandbox mode');
  }
  const corsAllowedOrigins = origins('CORS_ALLOWED_ORIGINS', vars.CORS_ALLOWED_ORIGINS, []);

  const dataEncryptionKeys = parseKeys('DATA_ENCRYPTION_KEY', vars.DATA_ENCRYPTION_KEY, 32, true);
  if (dataEncryptionKeys.length === 0 && !bad.has('DATA_ENCRYPTION_KEY')) {
    if (sandbox) dataEncryptionKeys.push(randomBytes(32));
    else problem('DATA_ENCRYPTION_KEY', 'is required outside sandbox mode');
  }
  const [nationalIdHmacKey] = parseKeys('NATIONAL_ID_HMAC_KEY', vars.NATIONAL_ID_HMAC_KEY, 32, false);
  if (!nationalIdHmacKey && !sandbox && !bad.has('NATIONAL_ID_HMAC_KEY')) {
    problem('NATIONAL_ID_HMAC_KEY', 'is required outside sandbox mode');
  }

  function parseKeys(variable: string, value: string | undefined, bytes: number, exact: boolean): Buffer[] {
    if (value === undefined) return [];
    const parts = value.split(',').map((s) => s.trim());
    if (!exact && parts.length > 1) problem(variable, 'takes one key');
    const keys = parts.map((part) => Buffer.from(part, 'base64'));
    const valid = parts.every((part, i) => /^[A-Za-z0-9+/]+={0,2}$/.test(part) && (exact ? keys[i].length === bytes : keys[i].length >= bytes));
    if (!valid) problem(variable, `must be base64 of ${exact ? 'exactly' : 'at least'} ${bytes} bytes${exact ? ' (comma-separated to rotate)' : ''}`);
    return valid ? keys : [];
  }

  if (!sandbox) {
    required('DATABASE_URL', undefined);
    required('REDIS_URL', undefined);
  } else {
    // Sandbox mode hands out caller tokens (any scope) to whoever reaches it, so it may only ever
    // work on this machine: NoGi, the database and Redis, when set, must be loopback addresses.
    for (const name of ['NOGI_ISSUER', 'NOGI_API_URL', 'DATABASE_URL', 'REDIS_URL'] as const) {
      const value = vars[name];
      if (value === undefined || bad.has(name)) continue;
      let host = '';
      try {
        host = new URL(value).hostname;
      } catch {
        // reported by its own rule
      }
      if (host !== '' && !isLoopback(host)) problem(name, 'must be a loopback address in sandbox mode (it issues tokens to anyone); set NOGI_ENV to preprod or prod');
    }
  }
  const nogiClientId = forNogi('NOGI_CLIENT_ID', SANDBOX_CLIENT.id);
  const nogiClientSecret = forNogi('NOGI_CLIENT_SECRET', SANDBOX_CLIENT.secret);
  const authAudience = required('AUTH_AUDIENCE', SANDBOX_AUDIENCE);
  if (vars.HTTPS_PROXY !== undefined) secureUrlOrHttpProxy('HTTPS_PROXY', vars.HTTPS_PROXY);

  function secureUrlOrHttpProxy(variable: string, value: string): void {
    try {
      if (!/^https?:$/.test(new URL(value).protocol)) throw new Error();
    } catch {
      problem(variable, 'must be an http:// or https:// proxy URL');
    }
  }

  const openbanking =
    providers.includes('openbanking') && (!sandbox || options.openbankingSandboxDefaults)
      ? openbankingSlice(env, { sandbox, sandboxDefaults: options.openbankingSandboxDefaults, httpsProxy: vars.HTTPS_PROXY }, problem)
      : undefined;
  // Altinn's slices (ALTINN_*, MASKINPORTEN_*, SKATTEETATEN_*) are checked only when it is enabled.
  let altinn: AltinnSettings | undefined;
  if (providers.includes('altinn')) {
    const text = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== '').map(([k, v]) => [k, (v as string).trim()]));
    const loaded = loadAltinnSettings(text, sandbox ? port : undefined);
    if (loaded.ok) altinn = loaded.settings;
    else for (const p of loaded.problems) problem(p.variable, p.message);
  }

  if (problems.length > 0) throw new ConfigError(problems);

  return new AppConfig({
    port,
    shutdownDrainSeconds: vars.SHUTDOWN_DRAIN_SECONDS ?? 20,
    production,
    sandbox,
    databaseUrl: vars.DATABASE_URL,
    databasePoolSize: 10,
    redisUrl: vars.REDIS_URL,
    providers,
    nogiEnv,
    nogiIssuer,
    nogiApiUrl,
    nogiClientId,
    nogiClientSecret,
    nogiRedirectUri,
    nogiTimeoutMs: vars.NOGI_TIMEOUT_MS ?? 5000,
    returnUrlAllowlist,
    corsAllowedOrigins,
    authIssuer,
    authAudience,
    authJwksUrl,
    authNationalIdClaim: vars.AUTH_NATIONAL_ID_CLAIM ?? 'pid',
    dataEncryptionKeys,
    nationalIdHmacKey,
    flowTtlSeconds: vars.FLOW_TTL_SECONDS ?? 600,
    flowDebtTtlSeconds: vars.FLOW_DEBT_TTL_SECONDS ?? 600,
    feedPollIntervalSeconds: vars.FEED_POLL_INTERVAL_SECONDS ?? 30,
    revocationGiveUpHours: vars.REVOCATION_GIVE_UP_HOURS ?? 72,
    httpsProxy: vars.HTTPS_PROXY,
    openbanking,
    ...(altinn ?? {}),
  });
}

/** OPENBANKING_* alone (the sandbox runtime reads it once the simulator's defaults exist); throws ConfigError. */
export function loadOpenbankingConfig(env: NodeJS.ProcessEnv, options: { sandbox: boolean; sandboxDefaults?: OpenbankingSandboxDefaults; httpsProxy?: string }): OpenbankingConfig {
  const problems: Array<{ variable: string; message: string }> = [];
  const config = openbankingSlice(env, options, (variable, message) => problems.push({ variable, message }));
  if (!config || problems.length > 0) throw new ConfigError(problems);
  return config;
}

function openbankingSlice(
  env: NodeJS.ProcessEnv,
  options: { sandbox: boolean; sandboxDefaults?: OpenbankingSandboxDefaults; httpsProxy?: string },
  problem: (variable: string, message: string) => void,
): OpenbankingConfig | undefined {
  const { config, problems } = parseOpenbankingConfig(env, options);
  for (const p of problems) problem(p.variable, p.message);
  if (config && options.sandbox) {
    // As for NoGi: sandbox mode issues caller tokens to anyone, so the partner bank must be local.
    for (const [variable, url] of [['OPENBANKING_API_URL', config.apiUrl], ['OPENBANKING_TOKEN_URL', config.tokenUrl]] as const) {
      if (url && !isLoopback(new URL(url).hostname)) problem(variable, 'must be a loopback address in sandbox mode (it issues tokens to anyone); set NOGI_ENV to preprod or prod');
    }
  }
  return problems.length > 0 ? undefined : config;
}

/** PROVIDERS: a comma-separated subset of the known providers; default nogi, or all of them in sandbox mode. */
function parseProviders(value: string | undefined, sandbox: boolean, problem: (variable: string, message: string) => void): Provider[] {
  if (value === undefined) return sandbox ? [...PROVIDERS] : ['nogi'];
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(PROVIDERS as readonly string[]).includes(n));
  if (unknown.length > 0 || names.length === 0) {
    problem('PROVIDERS', `unknown provider${unknown.length === 1 ? '' : 's'} ${unknown.map((n) => `"${n}"`).join(', ') || '(none given)'}; known: ${PROVIDERS.join(', ')}`);
    return [];
  }
  return PROVIDERS.filter((p) => names.includes(p));
}

export { isLoopback };
