import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestBasics, trackCalls } from '../../../sandbox/call-log';
import { FaultHook } from '../../../sandbox/fault-hook';
import type { ActiveFault } from '../../../sandbox/fault-injector';
import type { CallLogEntry, NogiSandbox } from './nogi-sandbox.state';
import { DEBT_ENDPOINTS, type Endpoint, endpointOf, parseBasic, redactBody, redirectUrl, SPRING_ENDPOINTS, str } from './sandbox-http';
import { REASON, type UpstreamErrors } from './upstream-errors';

/**
 * Every upstream call is logged (never a secret) and may meet an injected fault before its handler;
 * errors Fastify raises itself (parsers, content types) answer in the endpoint's own error shape.
 */
export function registerCallLogAndFaults(app: FastifyInstance, sandbox: NogiSandbox, errors: UpstreamErrors): void {
  const { debtError, springError, hydraError, htmlError } = errors;
  const faults = new FaultHook(app);

  // Every request, control ones too, first expires what the sandbox clock has passed.
  app.addHook('onRequest', async () => sandbox.sweep());
  const entries = trackCalls<CallLogEntry>(app, {
    log: (entry) => sandbox.logCall(entry),
    describe: (req, endpoint) => {
      const auth = req.headers.authorization;
      const scheme = !auth ? 'none' : /^Basic\s/i.test(auth) ? 'Basic' : /^Bearer\s/i.test(auth) ? 'Bearer' : 'other';
      const basic = scheme === 'Basic' ? parseBasic(auth) : undefined;
      return {
        ...requestBasics(req, endpoint, sandbox.now()),
        headers: {
          authorization: scheme,
          ...(basic ? { basicClientId: basic.clientId } : {}),
          ...(req.headers['content-type'] ? { contentType: req.headers['content-type'] } : {}),
          ...(req.headers.accept ? { accept: req.headers.accept } : {}),
          ...(req.headers['user-agent'] ? { userAgent: req.headers['user-agent'] } : {}),
          ...(str(req.headers['x-trace-id']) ? { traceId: str(req.headers['x-trace-id']) } : {}),
        },
      };
    },
  });

  faults.onTrackedCalls({
    entries,
    injector: sandbox.faults,
    note: (req, entry) => {
      if (req.body !== undefined) entry.body = redactBody(req.body);
    },
    statusAnswer: (req, reply, fault, entry) => faultResponse(req, reply, entry.endpoint as Endpoint, fault),
  });

  function faultResponse(req: FastifyRequest, reply: FastifyReply, endpoint: Endpoint, fault: ActiveFault) {
    const status = fault.status ?? 500;
    if (DEBT_ENDPOINTS.includes(endpoint)) {
      if (fault.error !== undefined) return debtError(req, reply, status, fault.error, fault.errorDescription);
      return status >= 500
        ? debtError(req, reply, status, 'server error', 'An unexpected server error occurred')
        : debtError(req, reply, status, (REASON[status] ?? 'error').toLowerCase());
    }
    if (SPRING_ENDPOINTS.includes(endpoint)) return springError(req, reply, status);
    // The authorization server (Hydra): token, discovery and the key set answer Hydra's error body.
    if (endpoint === 'token' || endpoint === 'discovery' || endpoint === 'jwks') return hydraError(reply, status, status >= 500 ? 'server_error' : 'invalid_request', 'Injected by the sandbox.');
    // auth: NoGi redirects with error=server_error when it knows where to send the user.
    const target = authFaultTarget(req);
    if (target) {
      return reply.redirect(
        redirectUrl(target.redirectUri, { error: 'server_error', error_description: 'An unexpected server error occurred', ...(target.state ? { state: target.state } : {}) }),
        req.method === 'POST' ? 303 : 302,
      );
    }
    return htmlError(reply, status, 'server_error', 'An unexpected server error occurred');
  }

  function authFaultTarget(req: FastifyRequest): { redirectUri: string; state?: string } | undefined {
    if (req.method === 'POST') {
      const body = req.body as Record<string, unknown> | undefined;
      const challenge = str(body?.consent_challenge);
      const pending = challenge ? sandbox.takePending(challenge) : undefined;
      return pending ? { redirectUri: pending.redirectUri, state: pending.state } : undefined;
    }
    const q = req.query as Record<string, unknown>;
    const client = sandbox.client(str(q.client_id));
    const redirectUri = str(q.redirect_uri);
    if (!client || !redirectUri || !client.redirectUris.includes(redirectUri)) return undefined;
    return { redirectUri, state: str(q.state) };
  }

  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    const endpoint = endpointOf(req);
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    // Parser messages can quote the body; never echo them.
    const message = status === 415 ? 'Content type not supported' : status < 500 ? 'Malformed request' : undefined;
    if (endpoint && SPRING_ENDPOINTS.includes(endpoint)) return springError(req, reply, status, message);
    if (endpoint && DEBT_ENDPOINTS.includes(endpoint)) {
      return status >= 500 ? debtError(req, reply, status, 'server error', 'An unexpected server error occurred') : debtError(req, reply, status, 'bad request', message);
    }
    if (endpoint === 'token' || endpoint === 'revokeToken') return hydraError(reply, status < 500 ? 400 : 500, status < 500 ? 'invalid_request' : 'server_error');
    if (endpoint === 'auth') return htmlError(reply, status, status < 500 ? 'invalid_request' : 'server_error', message ?? 'An unexpected server error occurred');
    return reply.code(status).send({ error: message ?? 'internal error' });
  });
}
