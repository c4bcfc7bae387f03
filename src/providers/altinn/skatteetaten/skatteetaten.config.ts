import { altinnEnvOf, altinnTimeoutOf, checkUpstreamUrl, type ConfigProblem, type EnvVars, type SliceResult } from '../altinn-env';

export const SKATTEETATEN_PRESETS = {
  tt02: { taxAssessmentUrl: 'https://summertskattegrunnlag.api.skatteetaten-test.no/v2', incomeUrl: 'https://inntekt.api.skatteetaten-test.no/v1' },
  prod: { taxAssessmentUrl: 'https://summertskattegrunnlag.api.skatteetaten.no/v2', incomeUrl: 'https://inntekt.api.skatteetaten.no/v1' },
} as const;

export interface SkatteetatenConfig {
  /** Base of summert skattegrunnlag v2 (no trailing slash). */
  taxAssessmentUrl: string;
  /** Base of inntekt v1 (no trailing slash). */
  incomeUrl: string;
  timeoutMs: number;
}

export interface SkatteetatenSandboxDefaults {
  taxAssessmentUrl: string;
  incomeUrl: string;
}

/** The Skatteetaten slice: SKATTEETATEN_TAX_ASSESSMENT_URL, SKATTEETATEN_INCOME_URL (presets from ALTINN_ENV), ALTINN_TIMEOUT_MS. */
export function loadSkatteetatenConfig(vars: EnvVars, sandboxDefaults?: SkatteetatenSandboxDefaults): SliceResult<SkatteetatenConfig> {
  const problems: ConfigProblem[] = [];
  const preset = SKATTEETATEN_PRESETS[altinnEnvOf(vars, problems)];
  const timeoutMs = altinnTimeoutOf(vars, problems);
  const url = (variable: string, value: string) => checkUpstreamUrl(variable, value, problems).replace(/\/+$/, '');
  const taxAssessmentUrl = url('SKATTEETATEN_TAX_ASSESSMENT_URL', vars.SKATTEETATEN_TAX_ASSESSMENT_URL ?? sandboxDefaults?.taxAssessmentUrl ?? preset.taxAssessmentUrl);
  const incomeUrl = url('SKATTEETATEN_INCOME_URL', vars.SKATTEETATEN_INCOME_URL ?? sandboxDefaults?.incomeUrl ?? preset.incomeUrl);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, config: { taxAssessmentUrl, incomeUrl, timeoutMs } };
}
