import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { grantedScopeString } from './auth-scope';
import type { NogiSandbox } from './nogi-sandbox.state';
import { FEED_SCOPE, isFormRequest, parseBasic, safeEqual, str } from './sandbox-http';
import type { UpstreamErrors } from './upstream-errors';

/** The authorization server's back channel: the token endpoint (code exchange with ID token, client credentials), revocation, userinfo. */
export function registerTokenRoutes(app: FastifyInstance, sandbox: NogiSandbox, errors: UpstreamErrors): void {
  const { hydraError } = errors;

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
}
