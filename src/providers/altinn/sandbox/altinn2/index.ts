export { altinn2SandboxPlugin } from './altinn2-sandbox.plugin';
export { startAltinn2Sandbox, type StartedAltinn2Sandbox } from './altinn2-sandbox.server';
export {
  Altinn2Sandbox,
  ALTINN2_SANDBOX_ORG_NUMBER,
  type Altinn2SandboxOptions,
  type Altinn2SandboxConsent,
  type Altinn2CallLogEntry,
  type TokenTamper,
} from './altinn2-sandbox.state';
export { type Altinn2SandboxTokenCheck } from './altinn2-sandbox-token-check';
