import type { FastifyInstance, FastifyReply } from 'fastify';
import { FaultInjectionError, type FaultSpec } from '../../../sandbox/fault-injector';
import type { PartnerBankSandbox } from './partner-bank-sandbox.state';

/** /_sandbox/*: faults, the call log, the clock, token revocation and reset, for tests in another process. */
export function registerControlRoutes(app: FastifyInstance, sandbox: PartnerBankSandbox): void {
  const control = { config: { endpoint: 'control' } };
  const bad = (reply: FastifyReply, err: unknown) => {
    if (err instanceof RangeError || err instanceof FaultInjectionError) return reply.code(400).send({ error: err.message });
    throw err;
  };

  app.get('/_sandbox/faults', control, async () => sandbox.faults.list());
  app.post('/_sandbox/faults', control, async (req, reply) => {
    try {
      return reply.code(201).send(sandbox.injectFault((req.body ?? {}) as FaultSpec));
    } catch (err) {
      return bad(reply, err);
    }
  });
  app.delete('/_sandbox/faults', control, async (_req, reply) => {
    sandbox.faults.clear();
    return reply.code(204).send();
  });

  app.get('/_sandbox/calls', control, async (req) => {
    const endpoint = (req.query as Record<string, unknown>).endpoint;
    return sandbox.getCalls(typeof endpoint === 'string' ? endpoint : undefined);
  });
  app.delete('/_sandbox/calls', control, async (_req, reply) => {
    sandbox.clearCalls();
    return reply.code(204).send();
  });

  app.get('/_sandbox/clock', control, async () => ({ now: sandbox.now(), iso: new Date(sandbox.now()).toISOString() }));
  app.post('/_sandbox/clock/advance', control, async (req, reply) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const ms = typeof b.ms === 'number' ? b.ms : typeof b.seconds === 'number' ? b.seconds * 1000 : NaN;
    try {
      const now = sandbox.advanceClock(ms);
      return { now, iso: new Date(now).toISOString() };
    } catch (err) {
      return bad(reply, err);
    }
  });

  app.post('/_sandbox/tokens/revoke', control, async () => ({ revoked: sandbox.revokeTokens() }));

  app.post('/_sandbox/reset', control, async (_req, reply) => {
    sandbox.reset();
    return reply.code(204).send();
  });
}
