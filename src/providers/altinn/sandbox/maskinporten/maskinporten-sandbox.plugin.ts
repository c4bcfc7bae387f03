import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { ALTINN_CONSENT_TYPE } from '../../maskinporten/maskinporten-grant';
import { trackCalls } from '../../../../sandbox/call-log';
import { registerSandboxControlRoutes } from '../../../../sandbox/control-routes';
import { FaultHook } from '../../../../sandbox/fault-hook';
import { checkGrant } from './maskinporten-grant.check';
import type { MaskinportenCallLogEntry, MaskinportenEndpoint, MaskinportenSandbox } from './maskinporten-sandbox.state';

type Route = { config: { endpoint: MaskinportenEndpoint } };
const route = (endpoint: MaskinportenEndpoint): Route => ({ config: { endpoint } });
const oauthError = (reply: FastifyReply, status: number, error: string, description: string) => reply.code(status).send({ error, error_description: description });

/**
 * Maskinporten in one Fastify plugin: metadata, the key set, the JWT-bearer token endpoint (every
 * grant checked as Maskinporten does) and the /_sandbox control surface (faults, calls, reset).
 */
export const maskinportenSandboxPlugin: FastifyPluginAsync<{ sandbox: MaskinportenSandbox }> = async (app, opts) => {
  const sandbox = opts.sandbox;
  await sandbox.ready();
  await app.register(formbody);
  const entries = registerCallLogAndFaults(app, sandbox);

  app.get('/.well-known/oauth-authorization-server', route('metadata'), async () => ({
    issuer: sandbox.issuer,
    token_endpoint: `${sandbox.baseUrl}/token`,
    jwks_uri: `${sandbox.baseUrl}/jwk`,
    token_endpoint_auth_methods_supported: ['private_key_jwt'],
    grant_types_supported: ['urn:ietf:params:oauth:grant-type:jwt-bearer'],
    token_endpoint_auth_signing_alg_values_supported: ['RS256', 'RS384', 'RS512'],
    authorization_details_types_supported: ['urn:altinn:systemuser', 'urn:altinn:consent'],
  }));

  app.get('/jwk', route('jwks'), async () => ({ keys: [await sandbox.publicJwk()] }));

  app.post('/token', route('token'), async (req, reply) => {
    if (!/^application\/x-www-form-urlencoded/i.test(String(req.headers['content-type'] ?? ''))) return oauthError(reply, 400, 'invalid_request', 'Content type must be application/x-www-form-urlencoded');
    const outcome = await checkGrant(sandbox, (req.body ?? {}) as Record<string, unknown>);
    if ('error' in outcome) {
      const entry = entries.get(req);
      if (entry) entry.error = outcome.error;
      return oauthError(reply, outcome.status, outcome.error, outcome.error_description);
    }
    return sandbox.issueToken(outcome);
  });

  // The shared faults, calls, clock advance and reset; Maskinporten's simulator never had GET /_sandbox/clock.
  registerSandboxControlRoutes(app, sandbox, { clock: 'advance' });
};

function registerCallLogAndFaults(app: FastifyInstance, sandbox: MaskinportenSandbox): WeakMap<FastifyRequest, MaskinportenCallLogEntry> {
  const faults = new FaultHook(app);
  // Logged once the body is parsed: the grant's shape is what tests look at.
  const entries = trackCalls<MaskinportenCallLogEntry>(app, {
    phase: 'preHandler',
    log: (entry) => sandbox.logCall(entry),
    describe: (req, endpoint) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      return {
        time: new Date(sandbox.now()).toISOString(),
        method: req.method,
        path: req.url.split('?')[0],
        endpoint,
        ...(req.headers['content-type'] ? { contentType: String(req.headers['content-type']) } : {}),
        ...(typeof body.grant_type === 'string' ? { grantType: body.grant_type } : {}),
        ...(typeof body.assertion === 'string' ? { assertion: describeAssertion(body.assertion) } : {}),
      };
    },
  });
  faults.onTrackedCalls({
    entries,
    injector: sandbox.faults,
    statusAnswer: (_req, reply, f) => oauthError(reply, f.status ?? 500, f.error ?? ((f.status ?? 500) >= 500 ? 'server_error' : 'invalid_request'), f.errorDescription ?? 'Injected by the sandbox.'),
  });
  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? 400 : 500;
    // Parser messages can quote the body (the assertion): never echo them.
    return oauthError(reply, status, status === 400 ? 'invalid_request' : 'server_error', status === 400 ? 'Malformed request' : 'Internal error');
  });
  return entries;
}

/** The Altinn consent request a consent grant names (an id, not a secret), for counting tokens per grant. */
function consentRequestIdOf(details: unknown): string | undefined {
  const entry = (Array.isArray(details) ? details : []).find((d: unknown) => typeof d === 'object' && d !== null && (d as { type?: unknown }).type === ALTINN_CONSENT_TYPE) as { id?: unknown } | undefined;
  return typeof entry?.id === 'string' ? entry.id : undefined;
}

/** Header and claim names of a grant for the call log: enough to check its shape, nothing to replay. */
function describeAssertion(assertion: string): MaskinportenCallLogEntry['assertion'] {
  try {
    const header = decodeProtectedHeader(assertion);
    const claims = decodeJwt(assertion);
    return {
      alg: header.alg,
      kid: header.kid,
      x5cLength: Array.isArray(header.x5c) ? header.x5c.length : undefined,
      claims: Object.keys(claims).sort(),
      aud: claims.aud,
      iss: claims.iss,
      scope: claims.scope,
      lifetime: typeof claims.exp === 'number' && typeof claims.iat === 'number' ? claims.exp - claims.iat : undefined,
      consentGrant: claims.authorization_details !== undefined,
      consentId: consentRequestIdOf(claims.authorization_details),
    };
  } catch {
    return { claims: [], consentGrant: false };
  }
}
