import formbody from '@fastify/formbody';
import type { FastifyPluginAsync } from 'fastify';
import type { Altinn3Sandbox } from './altinn3-sandbox.state';
import { registerCallLogAndFaults } from './call-log-and-faults.hooks';
import { registerConsentPageRoutes } from './consent-page.routes';
import { registerConsentRequestRoutes } from './consent-requests.routes';
import { registerControlRoutes } from './control.routes';

/**
 * Altinn 3's consent requests in one Fastify plugin: the enterprise API (create, read, events),
 * the customer's consent page, and the /_sandbox control surface. Registered on one instance, so
 * the hooks and error handler cover every part; mount it under a prefix or on its own server.
 */
export const altinn3SandboxPlugin: FastifyPluginAsync<{ sandbox: Altinn3Sandbox }> = async (app, opts) => {
  // Encapsulated: the form parser exists only inside this plugin (not fastify-plugin wrapped).
  await app.register(formbody);
  registerCallLogAndFaults(app, opts.sandbox);
  registerConsentRequestRoutes(app, opts.sandbox);
  registerConsentPageRoutes(app, opts.sandbox);
  registerControlRoutes(app, opts.sandbox);
};
