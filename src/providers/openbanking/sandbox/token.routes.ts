import type { FastifyInstance } from 'fastify';
import { auth0Error, header } from './partner-bank-http';
import type { PartnerBankSandbox } from './partner-bank-sandbox.state';

/**
 * POST /oauth/token: SPV's Auth0 client-credentials grant. Only a JSON body with client_id,
 * client_secret, audience and grant_type is accepted: a form-encoded body or Basic authentication
 * is refused, as are a wrong client, secret or audience.
 */
export function registerTokenRoutes(app: FastifyInstance, sandbox: PartnerBankSandbox): void {
  // Form bodies reach the handler as text, so the refusal is the bank's own, not a 415 of Fastify's.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, { formEncoded: true, length: body.length }));

  app.post('/oauth/token', { config: { endpoint: 'token' } }, async (req, reply) => {
    if (/^Basic\s/i.test(header(req, 'authorization') ?? '')) {
      return auth0Error(reply, 401, 'invalid_request', 'Client authentication goes in the JSON body (client_id, client_secret), not Basic');
    }
    const body = req.body as Record<string, unknown> | undefined;
    if (!/^application\/json\b/i.test(header(req, 'content-type') ?? '') || typeof body !== 'object' || body === null || Array.isArray(body)) {
      return auth0Error(reply, 400, 'invalid_request', 'The request body must be JSON (content-type: application/json)');
    }
    const { client_id, client_secret, audience, grant_type } = body;
    if (grant_type !== 'client_credentials') return auth0Error(reply, 400, 'unsupported_grant_type', 'Only client_credentials is supported');
    if (typeof client_id !== 'string' || typeof client_secret !== 'string') return auth0Error(reply, 400, 'invalid_request', 'Missing client_id or client_secret');
    if (client_id !== sandbox.options.clientId || client_secret !== sandbox.options.clientSecret) return auth0Error(reply, 401, 'access_denied', 'Unauthorized');
    if (audience !== sandbox.options.audience) return auth0Error(reply, 403, 'access_denied', 'Service not enabled within domain');
    return reply.header('cache-control', 'no-store').send(sandbox.issueToken());
  });
}
