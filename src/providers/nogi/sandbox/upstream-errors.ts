import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorPage } from './consent-page.html';
import { str } from './sandbox-http';
import { isoMicros, type NogiSandbox } from './nogi-sandbox.state';

// fosite's (Hydra's) standard error descriptions; Hydra appends a hint after them.
const HYDRA_DESCRIPTIONS: Record<string, string> = {
  invalid_client: 'Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method).',
  invalid_grant:
    'The provided authorization grant (e.g., authorization code, resource owner credentials) or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.',
  invalid_request: 'The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.',
  invalid_scope: 'The requested scope is invalid, unknown, or malformed.',
  unsupported_grant_type: 'The authorization grant type is not supported by the authorization server.',
  server_error: 'The authorization server encountered an unexpected condition that prevented it from fulfilling the request.',
};

export const REASON: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** Error bodies, one shape per upstream API: Debt API, Spring (agreement, feed), Hydra, and an HTML page for the browser. */
export function upstreamErrors(app: FastifyInstance, sandbox: NogiSandbox) {
  const debtError = (req: FastifyRequest, reply: FastifyReply, status: number, error: string, description?: string) => {
    const traceId = str(req.headers['x-trace-id']) ?? randomBytes(16).toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
    return reply
      .code(status)
      .type('application/json')
      .send({ error, ...(description !== undefined ? { error_description: description } : {}), timestamp: isoMicros(sandbox.now()), trace_id: traceId });
  };

  // Spring's error schema; `path` is absolute because the spec declares `format: uri`.
  const springError = (req: FastifyRequest, reply: FastifyReply, status: number, message?: string) =>
    reply
      .code(status)
      .type('application/json')
      .send({
        timestamp: new Date(sandbox.now()).toISOString(),
        path: `${sandbox.baseUrl}${routePath(req)}`,
        status,
        error: REASON[status] ?? 'Error',
        ...(message !== undefined ? { message } : {}),
        requestId: `${randomBytes(4).toString('hex')}-${req.id}`,
      });

  const hydraError = (reply: FastifyReply, status: number, error: string, hint?: string) =>
    reply
      .code(status)
      .header('cache-control', 'no-store')
      .header('pragma', 'no-cache')
      .type('application/json')
      .send({ error, error_description: [HYDRA_DESCRIPTIONS[error] ?? error, hint].filter(Boolean).join(' ') });

  const htmlError = (reply: FastifyReply, status: number, error: string, description: string) =>
    reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(errorPage(error, description));

  /** Route path below the plugin prefix, e.g. `/v1/consent/agreement`. */
  function routePath(req: FastifyRequest): string {
    const url = req.routeOptions.url ?? req.url.split('?')[0];
    return app.prefix && url.startsWith(app.prefix) ? url.slice(app.prefix.length) : url;
  }

  return { debtError, springError, hydraError, htmlError };
}

export type UpstreamErrors = ReturnType<typeof upstreamErrors>;
