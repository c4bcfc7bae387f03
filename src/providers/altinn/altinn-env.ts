import { isLoopback, upstreamUrlProblem } from '../../config/url-rules';
/** `ALTINN_ENV`: which of Altinn's environments the Altinn, Maskinporten and Skatteetaten presets point at. */
export type AltinnEnv = 'tt02' | 'prod';

export interface ConfigProblem {
  variable: string;
  message: string;
}

export type SliceResult<T> = { ok: true; config: T } | { ok: false; problems: ConfigProblem[] };

export type EnvVars = Readonly<Record<string, string | undefined>>;

export const DEFAULT_ALTINN_TIMEOUT_MS = 5000;

/** Reads ALTINN_ENV (default tt02); an unknown value is a problem and falls back to tt02 so the other checks still run. */
export function altinnEnvOf(vars: EnvVars, problems: ConfigProblem[]): AltinnEnv {
  const value = vars.ALTINN_ENV;
  if (value === undefined || value === '') return 'tt02';
  if (value === 'tt02' || value === 'prod') return value;
  problems.push({ variable: 'ALTINN_ENV', message: 'must be tt02 or prod' });
  return 'tt02';
}

/** ALTINN_TIMEOUT_MS: a whole number of milliseconds, 100–60000 (default 5000). */
export function altinnTimeoutOf(vars: EnvVars, problems: ConfigProblem[]): number {
  const value = vars.ALTINN_TIMEOUT_MS;
  if (value === undefined || value === '') return DEFAULT_ALTINN_TIMEOUT_MS;
  const ms = Number(value);
  if (!/^\d+$/.test(value.trim()) || ms < 100 || ms > 60_000) {
    problems.push({ variable: 'ALTINN_TIMEOUT_MS', message: 'must be a whole number of milliseconds between 100 and 60000' });
    return DEFAULT_ALTINN_TIMEOUT_MS;
  }
  return ms;
}

/** An upstream URL: absolute, https (plain http for loopback only), no query or fragment. Returned as given. */
export function checkUpstreamUrl(variable: string, value: string, problems: ConfigProblem[]): string {
  const message = upstreamUrlProblem(value);
  if (message) problems.push({ variable, message });
  return value;
}

export { isLoopback };
