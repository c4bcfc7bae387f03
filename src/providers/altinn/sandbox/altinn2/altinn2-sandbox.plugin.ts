import formbody from '@fastify/formbody';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { trackCalls } from '../../../../sandbox/call-log';
import { FaultHook } from '../../../../sandbox/fault-hook';
import type { ActiveFault } from '../../../../sandbox/fault-injector';
import { registerAccessConsentRoutes } from './access-consent.routes';
import { errorPage } from './access-consent.html';
import type { Altinn2CallLogEntry, Altinn2Endpoint, Altinn2Sandbox } from './altinn2-sandbox.state';
import { registerControlRoutes } from './control.routes';
import { apiKeyOf, registerTokenRoutes } from './token.routes';

/** The link parameters the call log keeps (RedirectUrl without its query: it carries the one-time state). */
const LOGGED_LINK_PARAMETERS = ['Resources', 'CoveredBy', 'ValidToDate', 'LanguageCode', 'ResponseType', 'Metadata'];

/**
 * Altinn 2's consent service in one Fastify plugin: the AccessConsent page, the token endpoint,
 * the key set and the /_sandbox control surface. Every call is logged without secrets (never the
 * ApiKey, the authorization code or a token) and may meet an injected fault first.
 */
export const altinn2SandboxPlugin: FastifyPluginAsync<{ sandbox: Altinn2Sandbox }> = async (app, opts) => {
  const sandbox = opts.sandbox;
  await app.register(formbody);
  const faults = new FaultHook(app);
  const entries = trackCalls<Altinn2CallLogEntry>(app, { log: (entry) => sandbox.logCall(entry), describe: describeCall });

  function describeCall(req: FastifyRequest, endpoint: Altinn2Endpoint): Altinn2CallLogEntry {
    const entry: Altinn2CallLogEntry = { time: new Date(sandbox.now()).toISOString(), method: req.method, path: req.url.split('?')[0].replace(/\/api\/authorization\/token\/.+$/, '/api/authorization/token/{code}'), endpoint };
    if (endpoint === 'token') {
      const key = apiKeyOf(req);
      entry.apiKey = key === undefined ? 'absent' : sandbox.orgOfApiKey(key) ? 'registered' : 'unknown';
    }
    if (endpoint === 'accessConsent' && req.method === 'GET') {
      const q = req.query as Record<string, unknown>;
      const query: Record<string, string> = {};
      for (const name of LOGGED_LINK_PARAMETERS) if (typeof q[name] === 'string') query[name] = q[name] as string;
      if (typeof q.RedirectUrl === 'string') query.RedirectUrl = q.RedirectUrl.split('?')[0];
      if (typeof q.DelegationContext === 'string') query.DelegationContextLength = String(q.DelegationContext.length);
      entry.query = query;
    }
    return entry;
  }

  faults.onTrackedCalls({ entries, injector: sandbox.faults, statusAnswer: (_req, reply, fault, entry) => faultAnswer(reply, entry.endpoint, fault) });

  function faultAnswer(reply: FastifyReply, endpoint: Altinn2Endpoint, fault: ActiveFault) {
    const status = fault.status ?? 500;
    const text = fault.errorDescription ?? fault.error ?? (status >= 500 ? 'An error has occurred.' : 'The request is invalid.');
    if (endpoint === 'accessConsent') return reply.code(status).header('content-type', 'text/html; charset=utf-8').send(errorPage(text));
    // Altinn's Web API answers errors as a JSON object with a Message.
    return reply.code(status).header('content-type', 'application/json; charset=utf-8').send({ Message: text });
  }

  app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    // Parser messages can quote the body; never echo them.
    return reply.code(status).send({ Message: status < 500 ? 'The request is invalid.' : 'An error has occurred.' });
  });

  registerAccessConsentRoutes(app, sandbox);
  registerTokenRoutes(app, sandbox);
  registerControlRoutes(app, sandbox);
};
