import type { FastifyInstance, FastifyReply } from 'fastify';
import { badControlRequest, CONTROL_ROUTE, registerSandboxControlRoutes } from '../../../../sandbox/control-routes';
import { ORGANIZATION_URN_PREFIX } from '../../altinn3/consent-request.types';
import { type Altinn3Sandbox, type CustomerAction, CustomerActionError } from './altinn3-sandbox.state';
import { detailsDto } from './consent-request.dto';

const ACTIONS: readonly CustomerAction[] = ['accept', 'reject', 'revoke', 'delete'];

/**
 * /_sandbox/*: the shared faults, call log, clock and reset, plus the PDP's refusals and the customer's
 * actions (accept, reject, revoke, delete a request; a data source's `used`) for tests in another process.
 */
export function registerControlRoutes(app: FastifyInstance, sandbox: Altinn3Sandbox): void {
  const control = CONTROL_ROUTE;
  const bad = (reply: FastifyReply, err: unknown) => {
    if (err instanceof CustomerActionError) return reply.code(409).send({ error: err.message });
    return badControlRequest(reply, err);
  };
  registerSandboxControlRoutes(app, sandbox);

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
}
