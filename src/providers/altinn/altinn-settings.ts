import { createPublicKey, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import { altinnEnvOf, type ConfigProblem, type EnvVars } from './altinn-env';
import { type AltinnConfig, loadAltinnConfig } from './altinn.config';
import { altinn2Config, type Altinn2Settings } from './altinn2/altinn2.config';
import { loadMaskinportenConfig, type MaskinportenConfig } from './maskinporten/maskinporten.config';
import { generateSandboxClientKey } from './sandbox/maskinporten/sandbox-client-keys';
import { loadSkatteetatenConfig, type SkatteetatenConfig } from './skatteetaten/skatteetaten.config';

/** Where sandbox mode mounts the three simulators on the service's own port. */
export const ALTINN_SANDBOX_PATHS = { altinn: '/sandbox/altinn', altinn2: '/sandbox/altinn2', maskinporten: '/sandbox/maskinporten', skatteetaten: '/sandbox/skatteetaten' } as const;
/** Skatteetaten's two API bases under the simulator (its SKATTEETATEN_SANDBOX_PATHS). */
const SKATTEETATEN_BASES = { taxAssessment: '/summertskattegrunnlag/v2', income: '/inntekt/v1' } as const;
/** The sandbox bank: a valid organisation number that belongs to nobody we know of. */
export const SANDBOX_ORG_NUMBER = '991825827';
export const SANDBOX_MASKINPORTEN_CLIENT_ID = 'nogi-consent-bff-sandbox';

/** The three typed slices Altinn needs (api.md, Configuration: ALTINN_*, MASKINPORTEN_*, SKATTEETATEN_*). */
export interface AltinnSettings {
  altinn: AltinnConfig;
  maskinporten: MaskinportenConfig;
  skatteetaten: SkatteetatenConfig;
  /** ALTINN2_*: with ALTINN_VERSION=2 only. */
  altinn2?: Altinn2Settings;
}

export type AltinnSettingsResult = { ok: true; settings: AltinnSettings } | { ok: false; problems: ConfigProblem[] };

/**
 * Loads the Altinn, Maskinporten and Skatteetaten slices together, every problem of all three in
 * one list (the config loader merges it into its one ConfigError). In sandbox mode (`sandboxPort`
 * given) what is not set points at the simulators on this service's port, with a Maskinporten
 * client key generated for this run.
 */
export function loadAltinnSettings(env: EnvVars, sandboxPort?: number): AltinnSettingsResult {
  const local = sandboxPort === undefined ? undefined : `http://localhost:${sandboxPort}`;
  const key = local !== undefined && env.MASKINPORTEN_PRIVATE_KEY === undefined ? generateSandboxClientKey() : undefined;
  const altinn = loadAltinnConfig(
    env,
    local === undefined ? undefined : { platformUrl: `${local}${ALTINN_SANDBOX_PATHS.altinn}`, orgNumber: SANDBOX_ORG_NUMBER, redirectUri: `${local}/v1/consent-flows/callback/altinn` },
  );
  const maskinporten = loadMaskinportenConfig(
    env,
    local === undefined
      ? undefined
      : { issuer: `${local}${ALTINN_SANDBOX_PATHS.maskinporten}/`, clientId: SANDBOX_MASKINPORTEN_CLIENT_ID, privateKey: key?.privateKeyPem ?? '', kid: key?.kid ?? 'sandbox' },
  );
  const skatteetatenBase = `${local}${ALTINN_SANDBOX_PATHS.skatteetaten}`;
  const skatteetaten = loadSkatteetatenConfig(
    env,
    local === undefined ? undefined : { taxAssessmentUrl: `${skatteetatenBase}${SKATTEETATEN_BASES.taxAssessment}`, incomeUrl: `${skatteetatenBase}${SKATTEETATEN_BASES.income}` },
  );
  const altinn2 =
    env.ALTINN_VERSION?.trim() === '2'
      ? altinn2Config(env, { sandbox: local !== undefined, altinnEnv: altinnEnvOf(env, []), sandboxUrl: `${local}${ALTINN_SANDBOX_PATHS.altinn2}` })
      : { problems: [] };
  // ALTINN_ENV and ALTINN_TIMEOUT_MS are read by every slice: name each problem once.
  const problems = new Map<string, ConfigProblem>();
  for (const p of [...(altinn.problems ?? []), ...(maskinporten.ok ? [] : maskinporten.problems), ...(skatteetaten.ok ? [] : skatteetaten.problems), ...altinn2.problems]) {
    if (!problems.has(p.variable)) problems.set(p.variable, p);
  }
  if (problems.size > 0 || !altinn.config || !maskinporten.ok || !skatteetaten.ok) return { ok: false, problems: [...problems.values()] };
  return {
    ok: true,
    settings: { altinn: altinn.config, maskinporten: maskinporten.config, skatteetaten: skatteetaten.config, ...('settings' in altinn2 && altinn2.settings ? { altinn2: altinn2.settings } : {}) },
  };
}

/** The public half of our grant key, as the sandbox registers it on its Maskinporten client. */
export function publicGrantJwk(privateKey: KeyObject, kid: string): JWK {
  return { ...(createPublicKey(privateKey).export({ format: 'jwk' }) as JWK), kid, alg: 'RS256', use: 'sig' };
}
