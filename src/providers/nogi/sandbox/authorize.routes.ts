import type { FastifyInstance, FastifyReply } from 'fastify';
import { grantedScopeString, parseAuthScope } from './auth-scope';
import { consentPage, errorPage } from './consent-page.html';
import { isValidNationalId } from '../../../common/national-id';
import type { NogiSandbox, PendingAuthorization } from './nogi-sandbox.state';
import { FEED_SCOPE, isFormRequest, redirectUrl, str } from './sandbox-http';
import type { UpstreamErrors } from './upstream-errors';

/** The authorization server's browser side: discovery, the key set, /oauth2/auth with its consent page, logout. */
export function registerAuthorizeRoutes(app: FastifyInstance, sandbox: NogiSandbox, errors: UpstreamErrors): void {
  const { htmlError } = errors;

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

  app.get('/oauth2/sessions/logout', { config: { endpoint: 'logout' } }, async (_req, reply) =>
    reply.type('text/html; charset=utf-8').send(errorPage('logged_out', 'Du er logget ut av Norsk Gjeldsinformasjon (sandbox).')),
  );
}
