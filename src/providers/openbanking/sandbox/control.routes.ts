import type { FastifyInstance } from 'fastify';
import { CONTROL_ROUTE, registerSandboxControlRoutes } from '../../../sandbox/control-routes';
import type { PartnerBankSandbox } from './partner-bank-sandbox.state';

/** /_sandbox/*: the shared faults, call log, clock and reset, plus token revocation, for tests in another process. */
export function registerControlRoutes(app: FastifyInstance, sandbox: PartnerBankSandbox): void {
  registerSandboxControlRoutes(app, sandbox);
  app.post('/_sandbox/tokens/revoke', CONTROL_ROUTE, async () => ({ revoked: sandbox.revokeTokens() }));
}
