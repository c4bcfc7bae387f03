export { skatteetatenSandboxPlugin, SKATTEETATEN_SANDBOX_PATHS } from './skatteetaten-sandbox.plugin';
export { startSkatteetatenSandbox, type StartedSkatteetatenSandbox } from './skatteetaten-sandbox.server';
export { SkatteetatenSandbox, type SkatteetatenSandboxOptions, type AltinnSamtykkeVerifier, altinn2SamtykkeVerifier, type SkatteetatenCallLogEntry } from './skatteetaten-sandbox.state';
export { SKATTEETATEN_PERSONS, YEAR_WITHOUT_ASSESSMENT, FIRST_INCOME_MONTH } from './skatteetaten-data';
