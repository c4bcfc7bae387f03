import type { FastifyInstance, FastifyReply } from 'fastify';
import { type FaultSpec, FaultInjectionError } from '../../../sandbox/fault-injector';
import type { NogiSandbox } from './nogi-sandbox.state';
import { type Endpoint, str } from './sandbox-http';

/** /_sandbox/*: faults, the call log, consents, the clock, the feed window and reset, for tests and benchmarks in another process. */
export function registerControlRoutes(app: FastifyInstance, sandbox: NogiSandbox): void {
  // ---- /_sandbox/*: the control surface over HTTP, for tests and benchmarks in another process ----

  const control = { config: { endpoint: 'control' as Endpoint } };
  const badControl = (reply: FastifyReply, err: unknown) => {
    if (err instanceof RangeError || err instanceof FaultInjectionError) return reply.code(400).send({ error: err.message });
    throw err;
  };

  app.get('/_sandbox/faults', control, async () => sandbox.listFaults());
  app.post('/_sandbox/faults', control, async (req, reply) => {
    try {
      return reply.code(201).send(sandbox.injectFault((req.body ?? {}) as FaultSpec));
    } catch (err) {
      return badControl(reply, err);
    }
  });
  app.delete('/_sandbox/faults', control, async (_req, reply) => {
    sandbox.clearFaults();
    return reply.code(204).send();
  });

  app.get('/_sandbox/calls', control, async (req) => sandbox.getCalls(str((req.query as Record<string, unknown>).endpoint)));
  app.delete('/_sandbox/calls', control, async (_req, reply) => {
    sandbox.clearCalls();
    return reply.code(204).send();
  });

  app.get('/_sandbox/consents', control, async (req) => sandbox.listConsents(str((req.query as Record<string, unknown>).clientId)));
  app.post('/_sandbox/consents', control, async (req, reply) => {
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
      return badControl(reply, err);
    }
  });
  app.post('/_sandbox/consents/:id/archive', control, async (req, reply) => {
    const { id } = req.params as { id: string };
    if (!sandbox.consent(id)) return reply.code(404).send({ error: 'unknown consent' });
    return sandbox.archiveConsent(id);
  });
  app.post('/_sandbox/consents/:id/expire', control, async (req, reply) => {
    const { id } = req.params as { id: string };
    if (!sandbox.consent(id)) return reply.code(404).send({ error: 'unknown consent' });
    return sandbox.expireConsent(id);
  });

  app.get('/_sandbox/clock', control, async () => ({ now: sandbox.now(), iso: new Date(sandbox.now()).toISOString() }));
  app.post('/_sandbox/clock/advance', control, async (req, reply) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const ms = typeof b.ms === 'number' ? b.ms : typeof b.seconds === 'number' ? b.seconds * 1000 : NaN;
    try {
      const now = sandbox.advanceClock(ms);
      return { now, iso: new Date(now).toISOString() };
    } catch (err) {
      return badControl(reply, err);
    }
  });

  app.post('/_sandbox/feed/prune', control, async (req) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    return { removed: sandbox.pruneFeed(typeof b.windowMs === 'number' ? b.windowMs : undefined) };
  });

  app.post('/_sandbox/reset', control, async (_req, reply) => {
    sandbox.reset();
    return reply.code(204).send();
  });
}
