import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Altinn2Endpoint, type Altinn2Sandbox, REFUSED_TEXT } from './altinn2-sandbox.state';

/**
 * The token endpoint (`GET /api/authorization/token?authcode=…`, and the newer
 * `/api/authorization/token/{code}`) with the `ApiKey` header, answering the JWT as a JSON string
 * (or raw), 403 with Altinn's text otherwise; and the key set with its Cache-Control.
 */
export function registerTokenRoutes(app: FastifyInstance, sandbox: Altinn2Sandbox): void {
  const token = { config: { endpoint: 'token' as Altinn2Endpoint } };

  const answer = async (req: FastifyRequest, code: string | undefined, reply: import('fastify').FastifyReply) => {
    const jwt = await sandbox.issueToken(apiKeyOf(req), code);
    if (!jwt) return reply.code(403).header('content-type', 'text/plain; charset=utf-8').send(REFUSED_TEXT);
    if (sandbox.tokenBody === 'raw') return reply.code(200).header('content-type', 'text/plain; charset=utf-8').send(jwt);
    return reply.code(200).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(jwt));
  };

  app.get('/api/authorization/token', token, async (req, reply) => {
    const code = (req.query as Record<string, unknown>).authcode;
    return answer(req, typeof code === 'string' ? code : undefined, reply);
  });
  app.get('/api/authorization/token/:code', token, async (req, reply) => answer(req, (req.params as { code: string }).code, reply));

  app.get('/api/metadata/jwk', { config: { endpoint: 'jwks' as Altinn2Endpoint } }, async (_req, reply) =>
    reply.header('cache-control', `public, max-age=${sandbox.jwksMaxAgeSeconds}`).send(sandbox.jwks()),
  );
}

export function apiKeyOf(req: FastifyRequest): string | undefined {
  const value = req.headers.apikey;
  return typeof value === 'string' ? value : undefined;
}
