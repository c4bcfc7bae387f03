import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PartnerBankEndpoint } from './partner-bank-sandbox.state';

export function endpointOf(req: FastifyRequest): PartnerBankEndpoint | undefined {
  return (req.routeOptions.config as { endpoint?: PartnerBankEndpoint } | undefined)?.endpoint;
}

export function header(req: FastifyRequest, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return typeof value === 'string' ? value : undefined;
}

/** Auth0's error body on the token endpoint. */
export function auth0Error(reply: FastifyReply, status: number, error: string, description: string): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').send({ error, error_description: description });
}

/** NextGenPSD2's error body: `tppMessages` with a Berlin Group code; `text` is the simulator's stable reason. */
export function psd2Error(reply: FastifyReply, status: number, code: string, text: string): FastifyReply {
  return reply.code(status).send({ tppMessages: [{ category: 'ERROR', code, text }] });
}
