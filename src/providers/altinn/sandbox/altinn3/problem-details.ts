import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ValidationErrors } from './consent-request.validation';

const TYPES: Record<number, string> = {
  400: 'https://tools.ietf.org/html/rfc9110#section-15.5.1',
  401: 'https://tools.ietf.org/html/rfc9110#section-15.5.2',
  403: 'https://tools.ietf.org/html/rfc9110#section-15.5.4',
  404: 'https://tools.ietf.org/html/rfc9110#section-15.5.5',
  500: 'https://tools.ietf.org/html/rfc9110#section-15.6.1',
};

/** Altinn's errors: ASP.NET ProblemDetails (ValidationProblemDetails with `errors` for 400s). */
export function problem(req: FastifyRequest, reply: FastifyReply, status: number, title: string, extra: { detail?: string; errors?: ValidationErrors } = {}): FastifyReply {
  return reply
    .code(status)
    .type('application/problem+json; charset=utf-8')
    .send({ type: TYPES[status] ?? 'about:blank', title, status, ...(extra.detail ? { detail: extra.detail } : {}), ...(extra.errors ? { errors: extra.errors } : {}), traceId: req.id });
}

export function validationProblem(req: FastifyRequest, reply: FastifyReply, errors: ValidationErrors): FastifyReply {
  return problem(req, reply, 400, 'One or more validation errors occurred.', { errors });
}
