export { maskinportenSandboxPlugin } from './maskinporten-sandbox.plugin';
export { startMaskinportenSandbox, type StartedMaskinportenSandbox } from './maskinporten-sandbox.server';
export { MaskinportenSandbox, CONSENT_RESOURCE_SCOPES, type MaskinportenSandboxClient, type MaskinportenSandboxOptions, type MaskinportenCallLogEntry } from './maskinporten-sandbox.state';
