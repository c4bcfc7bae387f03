import type { FastifyInstance } from 'fastify';
import { endpointOf, requestBasics, trackCalls } from '../../../../sandbox/call-log';
import { FaultHook } from '../../../../sandbox/fault-hook';
import { PERSON_URN_PREFIX } from '../../altinn3/consent-request.types';
import type { Altinn3Sandbox } from './altinn3-sandbox.state';
import type { Altinn3CallLogEntry, Altinn3Endpoint } from './altinn3-sandbox.types';
import { errorPage } from './consent-page.html';
import { problem } from './problem-details';

/** The body as logged: a person's national id in `from` masked, nothing else secret is sent to Altinn. */
function maskBody(body: unknown): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const copy: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  for (const key of ['from', 'requiredDelegator']) {
    const v = copy[key];
    if (typeof v === 'string' && v.startsWith(PERSON_URN_PREFIX)) copy[key] = `${PERSON_URN_PREFIX}***********`;
  }
  return copy;
}

/**
 * Every call but /_sandbox/ is logged (never a token or national id) and may meet an injected
 * fault before its handler. A `status` fault answers ProblemDetails, except 403, which answers as
 * Altinn's PDP does: no body; on the consent page, an HTML error page.
 */
export function registerCallLogAndFaults(app: FastifyInstance, sandbox: Altinn3Sandbox): void {
  const faults = new FaultHook(app);
  const entries = trackCalls<Altinn3CallLogEntry>(app, {
    log: (entry) => sandbox.logCall(entry),
    describe: (req, endpoint) => {
      const auth = req.headers.authorization;
      return {
        ...requestBasics(req, endpoint, sandbox.now()),
        authorization: !auth ? 'none' : /^Bearer\s/i.test(auth) ? 'Bearer' : 'other',
        ...(req.headers['content-type'] ? { contentType: req.headers['content-type'] } : {}),
      };
    },
  });

  faults.onTrackedCalls({
    entries,
    injector: sandbox.faults,
    // The consent page's form body is the decision, never anything secret; the API body masks the person.
    note: (req, entry) => {
      if (req.body !== undefined) entry.body = entry.endpoint === 'consentPage' ? req.body : maskBody(req.body);
    },
    statusAnswer: (req, reply, f, entry) => {
      const status = f.status ?? 500;
      if (entry.endpoint === 'consentPage') return reply.code(status).type('text/html; charset=utf-8').send(errorPage('Feil', 'Injected by the sandbox.'));
      if (status === 403) return reply.code(403).send();
      return problem(req, reply, status, f.error ?? (status >= 500 ? 'An error occurred while processing your request.' : 'Bad Request'), { detail: f.errorDescription });
    },
  });

  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    // Parser messages can quote the body; never echo them.
    if (endpointOf<Altinn3Endpoint>(req) === 'consentPage') return reply.code(status).type('text/html; charset=utf-8').send(errorPage('Feil', status < 500 ? 'Ugyldig forespørsel.' : 'Noe gikk galt.'));
    return problem(req, reply, status, status === 415 ? 'Unsupported Media Type' : status < 500 ? 'Bad Request' : 'An error occurred while processing your request.');
  });
}
