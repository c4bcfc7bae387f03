import type { FastifyInstance, FastifyRequest } from 'fastify';
import { trackCalls } from '../../../sandbox/call-log';
import { FaultHook } from '../../../sandbox/fault-hook';
import { FALLBACK_CERT_HEADER, FALLBACK_JWT_HEADER } from '../psd2-fallback.signer';
import { auth0Error, endpointOf, header, psd2Error } from './partner-bank-http';
import type { PartnerBankCall, PartnerBankSandbox } from './partner-bank-sandbox.state';

/**
 * Every call is logged without secrets (no token, key, client secret or PSU-ID value: only whether
 * they were there) and may meet an injected fault before its handler. Returns the log entry of a
 * request, where handlers note why they refused it.
 */
export function registerCallLogAndFaults(app: FastifyInstance, sandbox: PartnerBankSandbox): WeakMap<FastifyRequest, PartnerBankCall> {
  const faults = new FaultHook(app);
  const present = (req: FastifyRequest, name: string) => (header(req, name) ? 'present' : 'absent');

  const calls = trackCalls<PartnerBankCall>(app, {
    log: (call) => sandbox.logCall(call),
    describe: (req, endpoint) => {
      const auth = header(req, 'authorization');
      return {
        time: new Date(sandbox.now()).toISOString(),
        endpoint,
        method: req.method,
        path: req.url.split('?')[0],
        query: { ...(req.query as Record<string, unknown>) },
        headers: {
          authorization: !auth ? 'none' : /^Basic\s/i.test(auth) ? 'Basic' : /^Bearer\s/i.test(auth) ? 'Bearer' : 'other',
          ...(header(req, 'content-type') ? { contentType: header(req, 'content-type') } : {}),
          ...(header(req, 'accept') ? { accept: header(req, 'accept') } : {}),
          psuId: present(req, 'psu-id'),
          ...(header(req, 'x-request-id') ? { xRequestId: header(req, 'x-request-id')!.slice(0, 100) } : {}),
          fallbackCert: present(req, FALLBACK_CERT_HEADER),
          fallbackJwt: present(req, FALLBACK_JWT_HEADER),
        },
      };
    },
  });

  faults.onTrackedCalls({
    entries: calls,
    injector: sandbox.faults,
    note: (req, call) => {
      if (call.endpoint === 'token' && typeof req.body === 'object' && req.body !== null) {
        const b = req.body as Record<string, unknown>;
        call.body = { client_id: b.client_id, audience: b.audience, grant_type: b.grant_type, client_secret: b.client_secret === undefined ? 'absent' : 'present' };
      }
    },
    statusAnswer: (_req, reply, f, call) => {
      const status = f.status ?? 500;
      if (call.endpoint === 'token') return auth0Error(reply, status, f.error ?? (status >= 500 ? 'server_error' : 'invalid_request'), f.errorDescription ?? 'Injected by the sandbox');
      return psd2Error(reply, status, f.error ?? (status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'FORMAT_ERROR'), f.errorDescription ?? 'Injected by the sandbox');
    },
  });

  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    // Parser messages can quote the body (a client secret): never echo them.
    if (endpointOf(req) === 'token') return auth0Error(reply, status < 500 ? 400 : 500, status < 500 ? 'invalid_request' : 'server_error', status < 500 ? 'Malformed request' : 'Internal error');
    return psd2Error(reply, status, status < 500 ? 'FORMAT_ERROR' : 'INTERNAL_SERVER_ERROR', status < 500 ? 'Malformed request' : 'Internal error');
  });
  return calls;
}
