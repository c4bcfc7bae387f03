import type { FastifyPluginAsync } from 'fastify';
import { registerAccountsRoutes } from './accounts.routes';
import { registerCallLogAndFaults } from './call-log-and-faults.hooks';
import { registerControlRoutes } from './control.routes';
import type { PartnerBankSandbox } from './partner-bank-sandbox.state';
import { registerTokenRoutes } from './token.routes';

/**
 * The partner bank (SPV) in one Fastify plugin: the Auth0 token endpoint, the account API
 * (accounts, balances, transactions) and the /_sandbox control surface. Mount it under a prefix
 * (e.g. /sandbox/openbanking): the token URL is `<prefix>/oauth/token`, the API URL `<prefix>`.
 */
export const partnerBankSandboxPlugin: FastifyPluginAsync<{ sandbox: PartnerBankSandbox }> = async (app, opts) => {
  const calls = registerCallLogAndFaults(app, opts.sandbox);
  registerTokenRoutes(app, opts.sandbox);
  registerAccountsRoutes(app, opts.sandbox, calls);
  registerControlRoutes(app, opts.sandbox);
};
