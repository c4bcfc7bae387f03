import formbody from '@fastify/formbody';
import type { FastifyPluginAsync } from 'fastify';
import { registerAgreementApiRoutes } from './agreement-api.routes';
import { registerAuthorizeRoutes } from './authorize.routes';
import { registerCallLogAndFaults } from './call-log-and-faults.hooks';
import { registerConsentFeedRoutes } from './consent-feed.routes';
import { registerControlRoutes } from './control.routes';
import { registerDebtApiRoutes } from './debt-api.routes';
import type { NogiSandbox } from './nogi-sandbox.state';
import { registerTokenRoutes } from './token.routes';
import { upstreamErrors } from './upstream-errors';

/**
 * NoGi's upstream in one Fastify plugin, one file per part: the authorization server (authorize,
 * token), the Debt API, the Agreement API, the Consents Feed, and the /_sandbox control surface.
 * The parts register on this same instance (no child plugins), so hooks, the error handler and the
 * prefix apply to all of them alike.
 */
export const nogiSandboxPlugin: FastifyPluginAsync<{ sandbox: NogiSandbox }> = async (app, opts) => {
  const sandbox = opts.sandbox;
  await sandbox.ready();
  // Encapsulated: the form parser exists only inside this plugin (the plugin is not fastify-plugin wrapped).
  await app.register(formbody);

  const errors = upstreamErrors(app, sandbox);
  registerCallLogAndFaults(app, sandbox, errors);
  registerAuthorizeRoutes(app, sandbox, errors);
  registerTokenRoutes(app, sandbox, errors);
  registerDebtApiRoutes(app, sandbox, errors);
  registerAgreementApiRoutes(app, sandbox, errors);
  registerConsentFeedRoutes(app, sandbox, errors);
  registerControlRoutes(app, sandbox);
};
