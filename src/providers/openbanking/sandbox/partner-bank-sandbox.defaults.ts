import type { OpenbankingSandboxDefaults } from '../openbanking.config';
import type { PartnerBankSandboxOptions } from './partner-bank-sandbox.state';
import { createTestPki } from './test-certificates';

/** Where sandbox mode mounts the simulator on the service's own port. */
export const PARTNER_BANK_SANDBOX_PATH = '/sandbox/openbanking';

/** The simulator's client credentials in sandbox mode: public on purpose, never valid anywhere else. */
export const PARTNER_BANK_SANDBOX_CLIENT = {
  clientId: 'nogi-consent-bff-openbanking-sandbox',
  clientSecret: 'sandbox-secret-not-for-production',
  audience: 'https://openbanking.sandbox.localhost',
} as const;

/**
 * Sandbox mode's partner bank, both sides at once: OPENBANKING_* defaults pointing at the
 * simulator mounted at `baseUrl` (e.g. http://127.0.0.1:3000/sandbox/openbanking), and the
 * simulator's options. The QSeal key and chain are made in memory at start-up, never stored.
 */
export async function partnerBankSandboxSetup(baseUrl: string): Promise<{ defaults: OpenbankingSandboxDefaults; simulator: PartnerBankSandboxOptions }> {
  const pki = await createTestPki({ keyType: 'RSA', tppName: 'NoGi Consent BFF Sandbox AS' });
  const base = baseUrl.replace(/\/+$/, '');
  return {
    defaults: {
      OPENBANKING_API_URL: base,
      OPENBANKING_TOKEN_URL: `${base}/oauth/token`,
      OPENBANKING_AUDIENCE: PARTNER_BANK_SANDBOX_CLIENT.audience,
      OPENBANKING_CLIENT_ID: PARTNER_BANK_SANDBOX_CLIENT.clientId,
      OPENBANKING_CLIENT_SECRET: PARTNER_BANK_SANDBOX_CLIENT.clientSecret,
      OPENBANKING_QSEAL_KEY: pki.leafKeyPem,
      OPENBANKING_QSEAL_CERT_CHAIN: pki.chainPem,
      OPENBANKING_TPP_NAME: pki.tppName,
    },
    simulator: { ...PARTNER_BANK_SANDBOX_CLIENT, trustedCaPem: pki.caCertPem },
  };
}
