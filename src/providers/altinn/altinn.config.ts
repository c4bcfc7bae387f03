import { altinnEnvOf, altinnTimeoutOf, type AltinnEnv, isLoopback } from './altinn-env';
import { isValidOrgNumber } from './org-number';

export type { AltinnEnv };
export type AltinnVersion = 2 | 3;

/** The Altinn 3 platform per ALTINN_ENV (api.md: tt02 is the test environment). */
export const ALTINN_PLATFORM_PRESETS: Record<AltinnEnv, string> = {
  tt02: 'https://platform.tt02.altinn.no',
  prod: 'https://platform.altinn.no',
};

export interface AltinnConfig {
  env: AltinnEnv;
  version: AltinnVersion;
  /** No trailing slash; may carry a path prefix (the sandbox mounts Altinn under one). */
  platformUrl: string;
  /** The bank: `to` of every consent request, 9 digits with a valid check digit. */
  orgNumber: string;
  /** Our public Altinn callback; `state` is added per flow (altinn3/redirect-url.ts). */
  redirectUri: string;
  /** 0 = the events poller is off. */
  eventsPollIntervalSeconds: number;
  timeoutMs: number;
}

/** What sandbox mode supplies when a variable is not set (the embedded simulator's URL, its org). */
export interface AltinnSandboxDefaults {
  platformUrl?: string;
  orgNumber?: string;
  redirectUri?: string;
}

export interface AltinnConfigProblem {
  variable: string;
  message: string;
}

export type AltinnConfigResult = { config: AltinnConfig; problems?: undefined } | { config?: undefined; problems: AltinnConfigProblem[] };

/**
 * The ALTINN_* slice of the configuration (api.md, Configuration): typed values, or one problem
 * per variable that is missing or wrong. Pure; the config loader merges the problems into its one
 * start-up message. Outside sandbox mode (no `sandbox` defaults) the organisation number and the
 * redirect URI are required.
 */
export function loadAltinnConfig(env: Readonly<Record<string, string | undefined>>, sandbox?: AltinnSandboxDefaults): AltinnConfigResult {
  const problems: AltinnConfigProblem[] = [];
  const get = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
  const problem = (variable: string, message: string) => problems.push({ variable, message });

  // ALTINN_ENV and ALTINN_TIMEOUT_MS are read once, in altinn-env.ts, for all three slices.
  const altinnEnv = altinnEnvOf({ ALTINN_ENV: get('ALTINN_ENV') }, problems);

  const versionText = get('ALTINN_VERSION') ?? '3';
  if (versionText !== '2' && versionText !== '3') problem('ALTINN_VERSION', 'must be 3 or 2');
  const version: AltinnVersion = versionText === '2' ? 2 : 3;

  const platformText = get('ALTINN_PLATFORM_URL') ?? sandbox?.platformUrl ?? ALTINN_PLATFORM_PRESETS[altinnEnv];
  const platformUrl = checkUrl(platformText, 'ALTINN_PLATFORM_URL', problem, { query: false });

  const orgNumber = get('ALTINN_ORG_NUMBER') ?? sandbox?.orgNumber;
  if (orgNumber === undefined) problem('ALTINN_ORG_NUMBER', 'is required: the bank’s organisation number');
  else if (!isValidOrgNumber(orgNumber)) problem('ALTINN_ORG_NUMBER', 'must be an organisation number: 9 digits with a valid mod-11 check digit');

  const redirectText = get('ALTINN_REDIRECT_URI') ?? sandbox?.redirectUri;
  let redirectUri: string | undefined;
  if (redirectText === undefined) problem('ALTINN_REDIRECT_URI', 'is required: this service’s public Altinn callback URL');
  else redirectUri = checkUrl(redirectText, 'ALTINN_REDIRECT_URI', problem, { query: true });

  const eventsPollIntervalSeconds = integer(get('ALTINN_EVENTS_POLL_INTERVAL_SECONDS'), 60, 0, 86_400, 'ALTINN_EVENTS_POLL_INTERVAL_SECONDS', problem);
  const timeoutMs = altinnTimeoutOf({ ALTINN_TIMEOUT_MS: get('ALTINN_TIMEOUT_MS') }, problems);

  if (problems.length > 0 || platformUrl === undefined || orgNumber === undefined || redirectUri === undefined) return { problems };
  return { config: { env: altinnEnv, version, platformUrl, orgNumber, redirectUri, eventsPollIntervalSeconds, timeoutMs } };
}

function integer(text: string | undefined, fallback: number, min: number, max: number, variable: string, problem: (v: string, m: string) => void): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    problem(variable, `must be an integer from ${min} to ${max}`);
    return fallback;
  }
  return Number(text);
}

function checkUrl(text: string, variable: string, problem: (v: string, m: string) => void, opts: { query: boolean }): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    problem(variable, 'must be an absolute URL');
    return undefined;
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    problem(variable, 'must use https (http only on loopback)');
    return undefined;
  }
  if (url.username || url.password) {
    problem(variable, 'must not carry credentials');
    return undefined;
  }
  // Altinn joins its Status parameters before a fragment only in some cases (notes 1.6): refuse one.
  if (url.hash) {
    problem(variable, 'must not have a fragment');
    return undefined;
  }
  if (!opts.query && url.search) {
    problem(variable, 'must not have a query');
    return undefined;
  }
  return opts.query ? url.toString() : url.toString().replace(/\/+$/, '');
}
