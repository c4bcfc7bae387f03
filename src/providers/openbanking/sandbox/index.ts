export { partnerBankSandboxPlugin } from './partner-bank-sandbox.plugin';
export { startPartnerBankSandbox, type StartedPartnerBankSandbox } from './partner-bank-sandbox.server';
export { PartnerBankSandbox, PARTNER_BANK_ENDPOINTS, type PartnerBankSandboxOptions, type PartnerBankCall } from './partner-bank-sandbox.state';
export { createTestCa, createTestPki, type TestPki, type TestCa } from './test-certificates';
export { type FallbackRefusal } from './fallback-verifier';
export { partnerBankSandboxSetup, PARTNER_BANK_SANDBOX_CLIENT, PARTNER_BANK_SANDBOX_PATH } from './partner-bank-sandbox.defaults';
