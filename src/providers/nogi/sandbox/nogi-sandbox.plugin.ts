import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Socket } from 'node:net';
import formbody from '@fastify/formbody';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { grantedScopeString, isDebtScope, MAX_DURATION_DAYS, parseAuthScope } from './auth-scope';
import { consentPage, errorPage } from './consent-page.html';
import { type ActiveFault, type FaultSpec, FaultInjectionError } from './fault-injector';
import { isValidNationalId } from '../../../common/national-id';
import {
  type AccessToken,
  type CallLogEntry,
  type FeedEvent,
  isoMicros,
  isoNanos,
  type NogiSandbox,
  type PendingAuthorization,
  type SandboxConsent,
} from './nogi-sandbox.state';

type Endpoint =
  | 'discovery'
  | 'jwks'
  | 'auth'
  | 'token'
  | 'userinfo'
  | 'revokeToken'
  | 'logout'
  | 'debt'
  | 'debtById'
  | 'revoke'
  | 'status'
  | 'agreement'
  | 'feed'
  | 'control';

const DEBT_ENDPOINTS: readonly Endpoint[] = ['debt', 'debtById', 'revoke', 'status'];
const SPRING_ENDPOINTS: readonly Endpoint[] = ['agreement', 'feed'];
const FEED_SCOPE = 'client.access.consent.events';
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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

const REASON: Record<number, string> = {
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

function endpointOf(req: FastifyRequest): Endpoint | undefined {
  return (req.routeOptions.config as { endpoint?: Endpoint } | undefined)?.endpoint;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** RFC 6749 §2.3.1: id and secret are form-urlencoded before being joined and base64-encoded. */
function parseBasic(header: string | undefined): { clientId: string; clientSecret: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return undefined;
  try {
    const formDecode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    return { clientId: formDecode(decoded.slice(0, i)), clientSecret: formDecode(decoded.slice(i + 1)) };
  } catch {
    return undefined;
  }
}

function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

function redirectUrl(base: string, params: Record<string, string>): string {
  const u = new URL(base);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.toString();
}

function isFormRequest(req: FastifyRequest): boolean {
  return (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
}

function redactBody(body: unknown): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const copy: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  if ('client_secret' in copy) copy.client_secret = '[redacted]';
  return copy;
}

export const nogiSandboxPlugin: FastifyPluginAsync<{ sandbox: NogiSandbox }> = async (app, opts) => {
  const sandbox = opts.sandbox;
  await sandbox.ready();
  // Encapsulated: the form parser exists only inside this plugin (the plugin is not fastify-plugin wrapped).
  await app.register(formbody);

  const entries = new WeakMap<FastifyRequest, CallLogEntry>();
  const hanging = new Set<Socket>();
  app.addHook('onClose', async () => {
    for (const socket of hanging) socket.destroy();
    hanging.clear();
  });

  // ---- error bodies, one shape per upstream API ----

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

  // ---- call log and faults ----

  app.addHook('onRequest', async (req) => {
    sandbox.sweep();
    const endpoint = endpointOf(req);
    if (!endpoint || endpoint === 'control') return;
    const auth = req.headers.authorization;
    const scheme = !auth ? 'none' : /^Basic\s/i.test(auth) ? 'Basic' : /^Bearer\s/i.test(auth) ? 'Bearer' : 'other';
    const basic = scheme === 'Basic' ? parseBasic(auth) : undefined;
    const entry: CallLogEntry = {
      time: new Date(sandbox.now()).toISOString(),
      method: req.method,
      path: req.url.split('?')[0],
      query: { ...(req.query as Record<string, unknown>) },
      endpoint,
      headers: {
        authorization: scheme,
        ...(basic ? { basicClientId: basic.clientId } : {}),
        ...(req.headers['content-type'] ? { contentType: req.headers['content-type'] } : {}),
        ...(req.headers.accept ? { accept: req.headers.accept } : {}),
        ...(req.headers['user-agent'] ? { userAgent: req.headers['user-agent'] } : {}),
        ...(str(req.headers['x-trace-id']) ? { traceId: str(req.headers['x-trace-id']) } : {}),
      },
    };
    entries.set(req, entry);
    sandbox.logCall(entry);
  });

  app.addHook('onResponse', async (req, reply) => {
    const entry = entries.get(req);
    if (entry) entry.status = reply.statusCode;
  });

  app.addHook('preHandler', async (req, reply) => {
    const entry = entries.get(req);
    if (!entry) return;
    if (req.body !== undefined) entry.body = redactBody(req.body);
    const fault = sandbox.faults.take(entry.endpoint);
    if (!fault) return;
    entry.fault = fault;
    switch (fault.kind) {
      case 'latency':
        await sleep(fault.latencyMs ?? 0);
        return;
      case 'timeout':
        // Accept and never answer; the socket is released when the client gives up or the server closes.
        hanging.add(req.raw.socket);
        req.raw.socket.once('close', () => hanging.delete(req.raw.socket));
        reply.hijack();
        return reply;
      case 'reset':
        req.raw.socket.destroy();
        reply.hijack();
        return reply;
      case 'status':
        return faultResponse(req, reply, entry.endpoint as Endpoint, fault);
    }
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

  // ---- OpenID Connect discovery ----

  app.get('/.well-known/openid-configuration', { config: { endpoint: 'discovery' } }, async () => {
    const base = sandbox.baseUrl;
    return {
      issuer: sandbox.issuer,
      authorization_endpoint: `${base}/oauth2/auth`,
      token_endpoint: `${base}/oauth2/token`,
      jwks_uri: `${base}/.well-known/jwks.json`,
      userinfo_endpoint: `${base}/userinfo`,
      revocation_endpoint: `${base}/oauth2/revoke`,
      end_session_endpoint: `${base}/oauth2/sessions/logout`,
      subject_types_supported: ['pairwise'],
      response_types_supported: ['code'],
      response_modes_supported: ['query', 'fragment'],
      grant_types_supported: ['authorization_code', 'client_credentials'],
      claims_supported: ['sub', 'pid', 'consent_id'],
      scopes_supported: ['openid', 'debt.unsecured.presentation', 'debt.unsecured.processing', 'consent.create', FEED_SCOPE],
      token_endpoint_auth_methods_supported: ['client_secret_basic'],
      userinfo_signing_alg_values_supported: ['none', 'RS256'],
      id_token_signing_alg_values_supported: ['RS256'],
      request_object_signing_alg_values_supported: ['RS256', 'none'],
      code_challenge_methods_supported: ['S256'],
      request_parameter_supported: true,
      request_uri_parameter_supported: true,
      require_request_uri_registration: true,
      claims_parameter_supported: false,
    };
  });

  app.get('/.well-known/jwks.json', { config: { endpoint: 'jwks' } }, async () => sandbox.jwks());

  // ---- /oauth2/auth: NoGi's rules, then the consent page ----

  app.get('/oauth2/auth', { config: { endpoint: 'auth' } }, async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const client = sandbox.client(str(q.client_id));
    if (!client) return htmlError(reply, 400, 'invalid_client', 'The client is not registered at Norsk Gjeldsinformasjon (sandbox).');
    const redirectUri = str(q.redirect_uri);
    // Never redirect to a URI that is not registered exactly.
    if (!redirectUri || !client.redirectUris.includes(redirectUri)) {
      return htmlError(reply, 400, 'invalid_request', 'The redirect_uri is missing or does not exactly match a URI registered for this client.');
    }
    const state = str(q.state);
    const fail = (error: string, description: string) =>
      reply.redirect(redirectUrl(redirectUri, { error, error_description: description, ...(state !== undefined ? { state } : {}) }), 302);

    if (str(q.response_type) !== 'code') return fail('unsupported_response_type', 'response_type must be code');
    // Hydra refuses a missing or short state (fewer than 8 characters) as too weak.
    if (!state || state.length < 8) return fail('invalid_state', 'The state is missing or does not have enough characters and is therefore considered too weak.');
    const responseMode = str(q.response_mode);
    if (responseMode !== undefined && responseMode !== 'query') return fail('unsupported_response_mode', 'The sandbox answers with response_mode=query only');
    const scope = parseAuthScope(str(q.scope));
    if (!scope) return fail('invalid_scopes', 'Exactly one debt scope is required; openid may only be the last scope');
    const challenge = str(q.code_challenge);
    const method = str(q.code_challenge_method);
    if (challenge !== undefined || method !== undefined) {
      if (method !== 'S256') return fail('invalid_request', 'code_challenge_method must be S256; plain is not allowed');
      if (!challenge || !/^[A-Za-z0-9_-]{43,128}$/.test(challenge)) return fail('invalid_request', 'code_challenge must be a base64url S256 challenge');
    }
    const nonce = str(q.nonce);
    if (nonce !== undefined && nonce.length < 8) return fail('invalid_request', 'nonce must be at least 8 characters long');

    const pending = sandbox.createPending({ clientId: client.clientId, redirectUri, state, scope, nonce, codeChallenge: challenge });
    return sendConsentPage(reply, 200, pending);
  });

  function sendConsentPage(reply: FastifyReply, status: number, pending: PendingAuthorization, extra: { nationalId?: string; error?: string } = {}) {
    return reply
      .code(status)
      .header('cache-control', 'no-store')
      .header('x-frame-options', 'DENY')
      .header('referrer-policy', 'no-referrer')
      // No form-action: browsers would block the redirect to the bank after the POST.
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
      .type('text/html; charset=utf-8')
      .send(
        consentPage({
          actionUrl: `${sandbox.baseUrl}/oauth2/auth`,
          challenge: pending.id,
          clientId: pending.clientId,
          scope: pending.scope.scope,
          durationDays: pending.scope.durationDays,
          openid: pending.scope.openid,
          ...extra,
        }),
      );
  }

  app.post('/oauth2/auth', { config: { endpoint: 'auth' } }, async (req, reply) => {
    const body = (isFormRequest(req) ? req.body : undefined) as Record<string, unknown> | undefined;
    const challenge = str(body?.consent_challenge);
    const pending = challenge ? sandbox.getPending(challenge) : undefined;
    if (!challenge || !pending) return htmlError(reply, 400, 'invalid_request', 'The consent request is unknown or has expired. Start again from the service.');
    const decision = str(body?.decision);
    const back = (params: Record<string, string>) => reply.redirect(redirectUrl(pending.redirectUri, { ...params, state: pending.state }), 303);

    if (decision === 'deny') {
      sandbox.takePending(challenge);
      return back({ error: 'consent_denied', error_description: '' });
    }
    if (decision === 'cancel') {
      sandbox.takePending(challenge);
      return back({ error: 'login_cancelled', error_description: '' });
    }
    const nationalId = (str(body?.nationalId) ?? '').trim();
    if (decision !== 'approve') return sendConsentPage(reply, 400, pending, { nationalId, error: 'Velg godta, avslå eller avbryt.' });
    if (!isValidNationalId(nationalId)) return sendConsentPage(reply, 400, pending, { nationalId, error: 'Ugyldig fødselsnummer: 11 siffer med gyldige kontrollsifre.' });

    sandbox.takePending(challenge);
    const consent = sandbox.addConsent({ clientId: pending.clientId, nationalId, scope: pending.scope.scope, durationDays: pending.scope.durationDays }, 'flow');
    const code = sandbox.issueCode(pending, consent.id);
    return back({ code: code.code, scope: grantedScopeString(pending.scope) });
  });

  // ---- /oauth2/token: client_secret_basic only ----

  app.post('/oauth2/token', { config: { endpoint: 'token' } }, async (req, reply) => {
    if (!isFormRequest(req) || !req.body || typeof req.body !== 'object') {
      return hydraError(reply, 400, 'invalid_request', 'The request body must be application/x-www-form-urlencoded.');
    }
    const body = req.body as Record<string, unknown>;
    // RFC 6749 §2.3: one authentication method per request; the clients are registered for client_secret_basic.
    if ('client_secret' in body) {
      return hydraError(reply, 401, 'invalid_client', "The OAuth 2.0 Client supports client authentication method 'client_secret_basic', but method 'client_secret_post' was requested.");
    }
    const basic = parseBasic(req.headers.authorization);
    const client = basic ? sandbox.client(basic.clientId) : undefined;
    if (!basic || !client || !safeEqual(basic.clientSecret, client.clientSecret)) {
      reply.header('www-authenticate', 'Basic realm="oauth2"');
      return hydraError(reply, 401, 'invalid_client');
    }
    const formClientId = str(body.client_id);
    if (formClientId !== undefined && formClientId !== client.clientId) {
      return hydraError(reply, 401, 'invalid_client', 'The client_id in the body does not match the authenticated client.');
    }
    const grantType = str(body.grant_type);
    if (!grantType) return hydraError(reply, 400, 'invalid_request', 'The grant_type parameter is missing.');
    if (grantType === 'authorization_code') return authorizationCodeGrant(reply, client.clientId, body);
    if (grantType === 'client_credentials') return clientCredentialsGrant(reply, client.clientId, body);
    return hydraError(reply, 400, 'unsupported_grant_type', `The client is not allowed to use grant type '${grantType}'.`);
  });

  async function authorizationCodeGrant(reply: FastifyReply, clientId: string, body: Record<string, unknown>) {
    const code = sandbox.getCode(body.code);
    if (!code || code.clientId !== clientId) return hydraError(reply, 400, 'invalid_grant');
    if (code.used) {
      // Hydra treats a replayed code as a leak and revokes what was issued from it.
      sandbox.revokeTokensOfCode(code);
      return hydraError(reply, 400, 'invalid_grant', 'The authorization code has already been used.');
    }
    if (code.expiresAt <= sandbox.now()) return hydraError(reply, 400, 'invalid_grant', 'The authorization code has expired.');
    if (str(body.redirect_uri) !== code.redirectUri) {
      return hydraError(reply, 400, 'invalid_grant', "The 'redirect_uri' from this request does not match the one from the authorize request.");
    }
    const verifier = str(body.code_verifier);
    if (code.codeChallenge !== undefined) {
      if (!verifier || !/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) return hydraError(reply, 400, 'invalid_grant', 'The PKCE code verifier must be at least 43 characters.');
      const computed = createHash('sha256').update(verifier).digest('base64url');
      if (!safeEqual(computed, code.codeChallenge)) return hydraError(reply, 400, 'invalid_grant', 'The PKCE code challenge did not match the code verifier.');
    } else if (verifier !== undefined) {
      return hydraError(reply, 400, 'invalid_grant', 'code_verifier was sent but the authorization request had no code_challenge.');
    }
    code.used = true;
    const consent = sandbox.consent(code.consentId);
    if (!consent) return hydraError(reply, 400, 'invalid_grant');
    const scopes = grantedScopeString(code.scope).split(' ');
    const token = sandbox.issueToken({ clientId, grant: 'authorization_code', scopes, consentId: consent.id, nationalId: consent.nationalId });
    code.issuedTokens.push(token.token);
    const idToken =
      code.scope.openid && sandbox.issueIdToken
        ? await sandbox.signIdToken({ clientId, nonce: code.nonce, consentId: consent.id, nationalId: consent.nationalId, accessToken: token.token })
        : undefined;
    return reply
      .header('cache-control', 'no-store')
      .header('pragma', 'no-cache')
      .send({ access_token: token.token, expires_in: 3599, ...(idToken ? { id_token: idToken } : {}), scope: scopes.join(' '), token_type: 'bearer' });
  }

  function clientCredentialsGrant(reply: FastifyReply, clientId: string, body: Record<string, unknown>) {
    const audiences = (str(body.audience) ?? '').split(' ').filter(Boolean);
    const aud = sandbox.audiences;
    const allowed: Record<string, string[]> = {
      [aud.debt]: ['debt.unsecured.presentation', 'debt.unsecured.processing'],
      [aud.agreement]: ['consent.create'],
      [aud.feed]: [FEED_SCOPE],
    };
    if (audiences.length === 0) return hydraError(reply, 400, 'invalid_request', 'The audience parameter is required: one of the NoGi API audiences.');
    const unknown = audiences.find((a) => !(a in allowed));
    if (unknown) return hydraError(reply, 400, 'invalid_request', `Requested audience '${unknown}' has not been whitelisted by the OAuth 2.0 Client.`);
    if (audiences.length > 1) return hydraError(reply, 400, 'invalid_request', 'Request one audience per token; each NoGi API has its own.');
    const scopes = [...new Set((str(body.scope) ?? '').split(' ').filter(Boolean))];
    if (scopes.length === 0) return hydraError(reply, 400, 'invalid_scope', `A scope is required for audience '${audiences[0]}'.`);
    const bad = scopes.find((s) => !allowed[audiences[0]].includes(s));
    if (bad) return hydraError(reply, 400, 'invalid_scope', `The OAuth 2.0 Client is not allowed to request scope '${bad}' for audience '${audiences[0]}'.`);
    const token = sandbox.issueToken({ clientId, grant: 'client_credentials', audience: audiences[0], scopes });
    return reply
      .header('cache-control', 'no-store')
      .header('pragma', 'no-cache')
      .send({ access_token: token.token, expires_in: 3599, scope: scopes.join(' '), token_type: 'bearer' });
  }

  app.post('/oauth2/revoke', { config: { endpoint: 'revokeToken' } }, async (req, reply) => {
    const basic = parseBasic(req.headers.authorization);
    const client = basic ? sandbox.client(basic.clientId) : undefined;
    if (!basic || !client || !safeEqual(basic.clientSecret, client.clientSecret)) return hydraError(reply, 401, 'invalid_client');
    const token = str((req.body as Record<string, unknown> | undefined)?.token);
    if (!token) return hydraError(reply, 400, 'invalid_request', 'The token parameter is missing.');
    sandbox.revokeAccessToken(token, client.clientId);
    return reply.code(200).send();
  });

  app.get('/userinfo', { config: { endpoint: 'userinfo' } }, async (req, reply) => {
    const token = sandbox.tokenFromHeader(req.headers.authorization);
    if (!token || token.grant !== 'authorization_code' || !token.scopes.includes('openid') || !token.nationalId) {
      return reply.code(401).send({ error: 'request_unauthorized', error_description: 'The request could not be authorized.' });
    }
    return { sub: sandbox.pairwiseSubject(token.clientId, token.nationalId) };
  });

  app.get('/oauth2/sessions/logout', { config: { endpoint: 'logout' } }, async (_req, reply) =>
    reply.type('text/html; charset=utf-8').send(errorPage('logged_out', 'Du er logget ut av Norsk Gjeldsinformasjon (sandbox).')),
  );

  // ---- Debt API: 403 for bad tokens and consents, with each endpoint's documented body ----

  function bearerFailure(req: FastifyRequest, reply: FastifyReply, statusEndpoint: boolean) {
    if (statusEndpoint) return debtError(req, reply, 403, 'Invalid access token');
    const state = sandbox.tokenState(req.headers.authorization);
    return debtError(req, reply, 403, 'invalid access token', state === 'expired' ? 'Access token is expired' : 'Access token is invalid');
  }

  /** A live client-credentials token for the debt audience (status accepts it with any debt scope set). */
  function debtClientToken(req: FastifyRequest): AccessToken | undefined {
    const token = sandbox.tokenFromHeader(req.headers.authorization);
    if (!token || token.grant !== 'client_credentials' || token.audience !== sandbox.audiences.debt) return undefined;
    return token;
  }

  function debtBody(consent: SandboxConsent) {
    const debt = sandbox.debtFor(consent);
    return {
      ssn: consent.nationalId,
      loans: debt.loans,
      numberOfCreditorsAnswered: debt.numberOfCreditorsAnswered,
      // NoGi's spelling, lowercase c.
      numberOfcreditorsMissing: debt.numberOfcreditorsMissing,
      consent: { id: consent.id, exp: Math.floor(consent.expiresAt / 1000), scope: consent.scope },
    };
  }

  /** Why a consent cannot be used, as NoGi words it for /v1/debt/{id}. */
  function consentProblem(consent: SandboxConsent | undefined, token: AccessToken): string | undefined {
    if (!consent || consent.clientId !== token.clientId) return 'Consent not found';
    if (consent.revokedAt !== undefined) return `Consent revoked at ${isoMicros(consent.revokedAt)}`;
    if (consent.expiresAt <= sandbox.now()) return `Consent expired at ${isoMicros(consent.expiresAt)}`;
    if (consent.singleUse && consent.used) return 'Consent has already been used';
    return undefined;
  }

  app.get('/v1/debt', { config: { endpoint: 'debt' } }, async (req, reply) => {
    const token = sandbox.tokenFromHeader(req.headers.authorization);
    if (!token) return bearerFailure(req, reply, false);
    const consent = token.grant === 'authorization_code' && token.consentId ? sandbox.consent(token.consentId) : undefined;
    if (!consent || !sandbox.isActive(consent)) return debtError(req, reply, 403, 'no valid consent');
    // NoGi's default consent allows one fetch.
    if (consent.singleUse) sandbox.markUsed(consent);
    return reply.send(debtBody(consent));
  });

  app.get('/v1/debt/:id', { config: { endpoint: 'debtById' } }, async (req, reply) => {
    const token = debtClientToken(req);
    if (!token) return bearerFailure(req, reply, false);
    const { id } = req.params as { id: string };
    if (!UUID_RE.test(id)) return debtError(req, reply, 400, 'bad request', 'Invalid consent id');
    const consent = sandbox.consent(id.toLowerCase());
    const problem = consentProblem(consent, token);
    if (problem || !consent) return debtError(req, reply, 403, 'invalid consent', problem);
    if (!token.scopes.includes(consent.scope)) return debtError(req, reply, 403, 'invalid consent', `Access token lacks scope ${consent.scope}`);
    if (consent.singleUse) sandbox.markUsed(consent);
    return reply.send(debtBody(consent));
  });

  app.delete('/v1/debt/:id', { config: { endpoint: 'revoke' } }, async (req, reply) => {
    const token = debtClientToken(req);
    if (!token) return bearerFailure(req, reply, false);
    const { id } = req.params as { id: string };
    if (!UUID_RE.test(id)) return debtError(req, reply, 400, 'bad request', 'Invalid consent id');
    const consent = sandbox.consent(id.toLowerCase());
    // Sandbox choice following NoGi's 403 example: revoking an inactive (expired/revoked/used) consent is 403.
    const problem = consentProblem(consent, token);
    if (problem || !consent) return debtError(req, reply, 403, 'invalid consent', problem);
    sandbox.revokeByClient(consent);
    return reply.code(204).send();
  });

  app.get('/v1/debt/:id/status', { config: { endpoint: 'status' } }, async (req, reply) => {
    const token = debtClientToken(req);
    if (!token) return bearerFailure(req, reply, true);
    const { id } = req.params as { id: string };
    if (!UUID_RE.test(id)) return debtError(req, reply, 400, 'bad request', 'Invalid consent id');
    const consent = sandbox.consent(id.toLowerCase());
    // Sandbox choice after the stale `consent_info` schema ("false if no consent was found"):
    // an unknown or another client's consent is 200 {active:false, expires_at:0}, never 403/404.
    if (!consent || consent.clientId !== token.clientId) return reply.send({ active: false, expires_at: 0 });
    return reply.send({ active: sandbox.isActive(consent), expires_at: Math.floor(consent.expiresAt / 1000) });
  });

  // ---- Agreement API (Spring: 401 without body, SpringErrorSchema otherwise) ----

  app.put('/v1/consent/agreement', { config: { endpoint: 'agreement' } }, async (req, reply) => {
    const token = sandbox.tokenFromHeader(req.headers.authorization);
    if (!token) return reply.code(401).header('www-authenticate', 'Bearer').send();
    if (token.grant !== 'client_credentials' || token.audience !== sandbox.audiences.agreement || !token.scopes.includes('consent.create')) {
      return springError(req, reply, 403, 'The access token does not grant consent.create for this audience');
    }
    const body = req.body;
    if (!body || typeof body !== 'object' || Array.isArray(body)) return springError(req, reply, 400, 'Required request body is missing');
    const b = body as Record<string, unknown>;
    const missing = ['nin', 'scope_of_consent', 'consent_duration_days', 'client_consent_id'].filter((k) => b[k] === undefined || b[k] === null);
    if (missing.length > 0) return springError(req, reply, 400, `Missing required field(s): ${missing.join(', ')}`);
    if (!isValidNationalId(b.nin)) return springError(req, reply, 400, 'nin must be a valid national identity number (11 digits)');
    if (!isDebtScope(b.scope_of_consent)) return springError(req, reply, 400, 'scope_of_consent must be debt.unsecured.presentation or debt.unsecured.processing');
    // Jackson coerces "100" to 100, and NoGi's own Python sample sends a string; fractions are refused.
    const rawDays = b.consent_duration_days;
    const days = typeof rawDays === 'number' ? rawDays : typeof rawDays === 'string' && /^\d{1,9}$/.test(rawDays) ? Number(rawDays) : NaN;
    if (!Number.isInteger(days) || days < 1) return springError(req, reply, 400, 'consent_duration_days must be a positive integer');
    // Undocumented upstream (clamp or 400); the sandbox refuses with 400 so a client never silently gets less than it registered.
    const max = MAX_DURATION_DAYS[b.scope_of_consent];
    if (days > max) return springError(req, reply, 400, `consent_duration_days must be at most ${max} for ${b.scope_of_consent}`);
    const clientConsentId = b.client_consent_id;
    if (typeof clientConsentId !== 'string' || clientConsentId.length === 0 || clientConsentId.length > 255) {
      return springError(req, reply, 400, 'client_consent_id must be a non-empty string of at most 255 characters');
    }
    const result = sandbox.registerAgreement(token.clientId, { nin: b.nin, scope: b.scope_of_consent, days, clientConsentId });
    if ('conflict' in result) return springError(req, reply, 409, 'client_consent_id is already registered with other data');
    const c = result.consent;
    return reply.code(200).send({
      client_consent_id: clientConsentId,
      consent: { id: c.id, expires_at: new Date(c.expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z'), scope_of_consent: c.scope },
    });
  });

  // ---- Consents Feed (Spring; token requirement from the docs, 401 without body like the Agreement API) ----

  function feedToken(req: FastifyRequest, reply: FastifyReply): AccessToken | undefined {
    const token = sandbox.tokenFromHeader(req.headers.authorization);
    if (!token) {
      reply.code(401).header('www-authenticate', 'Bearer').send();
      return undefined;
    }
    if (token.grant !== 'client_credentials' || token.audience !== sandbox.audiences.feed || !token.scopes.includes(FEED_SCOPE)) {
      springError(req, reply, 403, `The access token does not grant ${FEED_SCOPE} for this audience`);
      return undefined;
    }
    return token;
  }

  function feedEventBody(e: FeedEvent) {
    const clientId = sandbox.feedClientId(e.clientId);
    // NoGi's own example puts the externalConsentId in the archived event's nested consentId; mimic it
    // when that id is a UUID (the schema says format: uuid), otherwise use the NoGi consent id.
    const nestedArchivedId = e.externalConsentId && UUID_RE.test(e.externalConsentId) ? e.externalConsentId : e.consentId;
    return {
      sequenceNr: e.sequenceNr,
      eventId: e.eventId,
      consentId: e.consentId,
      timestamp: e.timestamp,
      eventType: e.eventType,
      samtykkeOpprettetEvent:
        e.eventType === 'SAMTYKKE_OPPRETTET'
          ? { clientId, consentId: e.consentId, scope: e.scope, ...(e.externalConsentId !== undefined ? { externalConsentId: e.externalConsentId } : {}) }
          : null,
      samtykkeArkivertEvent: e.eventType === 'SAMTYKKE_ARKIVERT' ? { clientId, consentId: nestedArchivedId } : null,
    };
  }

  app.get('/feed/v1/consent', { config: { endpoint: 'feed' } }, async (req, reply) => {
    const token = feedToken(req, reply);
    if (!token) return reply;
    const q = req.query as Record<string, unknown>;
    for (const name of ['fromSequenceNr', 'limit']) {
      if (q[name] === undefined) return springError(req, reply, 400, `Required request parameter '${name}' is not present`);
      if (typeof q[name] !== 'string' || !/^-?\d{1,15}$/.test(q[name] as string)) return springError(req, reply, 400, `Parameter '${name}' must be an integer`);
    }
    const from = Number(q.fromSequenceNr);
    const limit = Number(q.limit);
    if (from < 0) return springError(req, reply, 400, 'fromSequenceNr must not be negative');
    if (limit < 1) return springError(req, reply, 400, 'limit must be at least 1');
    const beforeFirst = from < sandbox.firstSequenceNrFor(token.clientId) ? sandbox.feedBeforeFirst : undefined;
    if (beforeFirst === 'reject') return springError(req, reply, 400, 'fromSequenceNr is before firstSequenceNr');
    // Undocumented maximum; the sandbox caps a page at 1000 events.
    const page = sandbox
      .feedEvents(token.clientId)
      .filter(() => beforeFirst !== 'empty')
      .filter((e) => e.sequenceNr >= from)
      .sort((a, b) => a.sequenceNr - b.sequenceNr)
      .slice(0, Math.min(limit, 1000));
    const start = Math.max(from, 1);
    // Empty page (undocumented upstream): result [], endSequenceNr = fromSequenceNr − 1 (floored at 1,
    // and the sandbox never uses 1), so "continue from endSequenceNr + 1" never skips an event.
    const end = page.length > 0 ? page[page.length - 1].sequenceNr : Math.max(from - 1, 1);
    return reply.send({ startSequenceNr: start, endSequenceNr: end, generatedAt: isoNanos(sandbox.now()), result: page.map(feedEventBody) });
  });

  app.get('/feed/v1/consent/firstSequenceNr', { config: { endpoint: 'feed' } }, async (req, reply) => {
    const token = feedToken(req, reply);
    if (!token) return reply;
    return reply.send({ firstSequenceNr: sandbox.firstSequenceNrFor(token.clientId) });
  });

  app.get('/feed/v1/consent/lastSequenceNr', { config: { endpoint: 'feed' } }, async (req, reply) => {
    const token = feedToken(req, reply);
    if (!token) return reply;
    return reply.send({ lastSequenceNr: sandbox.lastSequenceNrFor(token.clientId) });
  });

  // ---- /_sandbox/*: the control surface over HTTP, for tests and benchmarks in another process ----

  const control = { config: { endpoint: 'control' as Endpoint } };
  const badControl = (reply: FastifyReply, err: unknown) => {
    if (err instanceof RangeError || err instanceof FaultInjectionError) return reply.code(400).send({ error: err.message });
    throw err;
  };

  app.get('/_sandbox/faults', control, async () => sandbox.listFaults());
  app.post('/_sandbox/faults', control, async (req, reply) => {
    try {
      return reply.code(201).send(sandbox.injectFault((req.body ?? {}) as FaultSpec));
    } catch (err) {
      return badControl(reply, err);
    }
  });
  app.delete('/_sandbox/faults', control, async (_req, reply) => {
    sandbox.clearFaults();
    return reply.code(204).send();
  });

  app.get('/_sandbox/calls', control, async (req) => sandbox.getCalls(str((req.query as Record<string, unknown>).endpoint)));
  app.delete('/_sandbox/calls', control, async (_req, reply) => {
    sandbox.clearCalls();
    return reply.code(204).send();
  });

  app.get('/_sandbox/consents', control, async (req) => sandbox.listConsents(str((req.query as Record<string, unknown>).clientId)));
  app.post('/_sandbox/consents', control, async (req, reply) => {
    try {
      const b = (req.body ?? {}) as Record<string, unknown>;
      const view = sandbox.createConsent({
        clientId: str(b.clientId) ?? '',
        nationalId: str(b.nationalId) ?? '',
        scope: str(b.scope) as never,
        durationDays: typeof b.durationDays === 'number' ? b.durationDays : undefined,
        externalConsentId: str(b.externalConsentId),
      });
      return reply.code(201).send(view);
    } catch (err) {
      return badControl(reply, err);
    }
  });
  app.post('/_sandbox/consents/:id/archive', control, async (req, reply) => {
    const { id } = req.params as { id: string };
    if (!sandbox.consent(id)) return reply.code(404).send({ error: 'unknown consent' });
    return sandbox.archiveConsent(id);
  });
  app.post('/_sandbox/consents/:id/expire', control, async (req, reply) => {
    const { id } = req.params as { id: string };
    if (!sandbox.consent(id)) return reply.code(404).send({ error: 'unknown consent' });
    return sandbox.expireConsent(id);
  });

  app.get('/_sandbox/clock', control, async () => ({ now: sandbox.now(), iso: new Date(sandbox.now()).toISOString() }));
  app.post('/_sandbox/clock/advance', control, async (req, reply) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const ms = typeof b.ms === 'number' ? b.ms : typeof b.seconds === 'number' ? b.seconds * 1000 : NaN;
    try {
      const now = sandbox.advanceClock(ms);
      return { now, iso: new Date(now).toISOString() };
    } catch (err) {
      return badControl(reply, err);
    }
  });

  app.post('/_sandbox/feed/prune', control, async (req) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    return { removed: sandbox.pruneFeed(typeof b.windowMs === 'number' ? b.windowMs : undefined) };
  });

  app.post('/_sandbox/reset', control, async (_req, reply) => {
    sandbox.reset();
    return reply.code(204).send();
  });
};
