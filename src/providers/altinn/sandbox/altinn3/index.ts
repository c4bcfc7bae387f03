export { altinn3SandboxPlugin } from './altinn3-sandbox.plugin';
export { startAltinn3Sandbox, type StartedAltinn3Sandbox } from './altinn3-sandbox.server';
export { Altinn3Sandbox, ALTINN3_FAULT_ENDPOINTS, type CustomerAction } from './altinn3-sandbox.state';
export type { Altinn3SandboxOptions, Altinn3TokenVerifier, Altinn3TokenSubject, Altinn3CallLogEntry } from './altinn3-sandbox.types';
export { CONSENT_PAGE_PATH, redirectWithStatus } from './consent-page.routes';
export { CONSENT_RESOURCES } from './consent-request.validation';
