import type { FastifyInstance, FastifyReply } from 'fastify';
import { FaultInjectionError, type FaultSpec } from '../../../../sandbox/fault-injector';
import { ORGANIZATION_URN_PREFIX } from '../../altinn3/consent-request.types';
import { type Altinn3Sandbox, type CustomerAction, CustomerActionError } from './altinn3-sandbox.state';
import type { Altinn3Endpoint } from './altinn3-sandbox.types';
import { detailsDto } from './consent-request.dto';

const ACTIONS: readonly CustomerAction[] = ['accept', 'reject', 'revoke', 'delete'];

/**
 * /_sandbox/*: faults, the call log, the clock, reset, the PDP's refusals, and the customer's
 * actions (accept, reject, revoke, delete a request; a data source's `used`) for tests in another process.
 */
export function registerControlRoutes(app: FastifyInstance, sandbox: Altinn3Sandbox): void {
  const control = { config: { endpoint: 'control' as Altinn3Endpoint } };
  const bad = (reply: FastifyReply, err: unknown) => {
    if (err instanceof RangeError || err instanceof FaultInjectionError) return reply.code(400).send({ error: err.message });
    if (err instanceof CustomerActionError) return reply.code(409).send({ error: err.message });
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

  app.get('/_sandbox/consent-requests/:id', control, async (req, reply) => {
    const request = sandbox.request((req.params as { id: string }).id);
    return request ? detailsDto(sandbox, request) : reply.code(404).send({ error: 'unknown consent request' });
  });
  app.post('/_sandbox/consent-requests/:id/:action', control, async (req, reply) => {
    const { id, action } = req.params as { id: string; action: string };
    try {
      if (action === 'use') return detailsDto(sandbox, sandbox.markUsed(id));
      if (!(ACTIONS as readonly string[]).includes(action)) return reply.code(404).send({ error: 'unknown action' });
      return detailsDto(sandbox, sandbox.act(id, action as CustomerAction));
    } catch (err) {
      return bad(reply, err);
    }
  });

  app.post('/_sandbox/pdp/deny', control, async (req, reply) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    if (typeof b.orgNumber !== 'string' || typeof b.resource !== 'string') return reply.code(400).send({ error: 'orgNumber and resource are required' });
    sandbox.denyResource(`${ORGANIZATION_URN_PREFIX}${b.orgNumber}`, b.resource);
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

  app.post('/_sandbox/reset', control, async (_req, reply) => {
    sandbox.reset();
    return reply.code(204).send();
  });
}
