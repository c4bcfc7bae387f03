import type { FastifyInstance } from 'fastify';
import { badControlRequest, CONTROL_ROUTE, registerSandboxControlRoutes } from '../../../sandbox/control-routes';
import type { NogiSandbox } from './nogi-sandbox.state';
import { str } from './sandbox-http';

/**
 * /_sandbox/*: the shared faults, call log, clock and reset, plus NoGi's own consents and feed
 * window, for tests and benchmarks in another process.
 */
export function registerControlRoutes(app: FastifyInstance, sandbox: NogiSandbox): void {
  registerSandboxControlRoutes(app, sandbox);

  app.get('/_sandbox/consents', CONTROL_ROUTE, async (req) => sandbox.listConsents(str((req.query as Record<string, unknown>).clientId)));
  app.post('/_sandbox/consents', CONTROL_ROUTE, async (req, reply) => {
    try {
      const b = (req.body ?? {}) as Record<string, unknown>;
      const view = sandbox.createConsent({
        clientId: str(b.clientId) ?? '',
        nationalId: str(b.nationalId) ?? '',
        scope: str(b.scope) as never,
        durationDays: typeof b.durationDays === 'number' ? b.durationDays : undefined,
        externalConsentId: str(b.externalConsentId),
      });
      return reply.code(201).send(view);
    } catch (err) {
      return badControlRequest(reply, err);
    }
  });
  app.post('/_sandbox/consents/:id/archive', CONTROL_ROUTE, async (req, reply) => {
    const { id } = req.params as { id: string };
    if (!sandbox.consent(id)) return reply.code(404).send({ error: 'unknown consent' });
    return sandbox.archiveConsent(id);
  });
  app.post('/_sandbox/consents/:id/expire', CONTROL_ROUTE, async (req, reply) => {
    const { id } = req.params as { id: string };
    if (!sandbox.consent(id)) return reply.code(404).send({ error: 'unknown consent' });
    return sandbox.expireConsent(id);
  });

  app.post('/_sandbox/feed/prune', CONTROL_ROUTE, async (req) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    return { removed: sandbox.pruneFeed(typeof b.windowMs === 'number' ? b.windowMs : undefined) };
  });
}
