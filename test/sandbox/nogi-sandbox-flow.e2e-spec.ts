import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { nogiSandboxPlugin } from '../../src/providers/nogi/sandbox/nogi-sandbox.plugin';
import type { StartedNogiSandbox } from '../../src/providers/nogi/sandbox/nogi-sandbox.server';
import { NogiSandbox } from '../../src/providers/nogi/sandbox/nogi-sandbox.state';
import {
  agreementToken,
  authCodeToken,
  authUrl,
  basic,
  bearer,
  CALLBACK,
  ccToken,
  CLIENT,
  clientCredentials,
  consentFlow,
  debtToken,
  defaultAuthParams,
  exchangeCode,
  feedToken,
  formFields,
  http,
  OTHER_CLIENT,
  OTHER_PERSON_WITH_DEBT,
  PERSON_WITH_DEBT,
  PERSON_WITHOUT_DEBT,
  pkcePair,
  registerAgreement,
  startTestSandbox,
} from './nogi-sandbox.helpers';

describe('NoGi sandbox over HTTP', () => {
  let s: StartedNogiSandbox;
  let base: string;

  beforeAll(async () => {
    s = await startTestSandbox();
    base = s.url;
  });
  afterAll(() => s.close());
  beforeEach(() => s.sandbox.reset());

  describe('discovery', () => {
    it('publishes NoGi’s OpenID configuration and an RS256 key set', async () => {
      const res = await http('GET', `${base}/.well-known/openid-configuration`);
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({
        issuer: `${base}/`,
        authorization_endpoint: `${base}/oauth2/auth`,
        token_endpoint: `${base}/oauth2/token`,
        jwks_uri: `${base}/.well-known/jwks.json`,
        userinfo_endpoint: `${base}/userinfo`,
        end_session_endpoint: `${base}/oauth2/sessions/logout`,
        response_types_supported: ['code'],
        response_modes_supported: ['query', 'fragment'],
        subject_types_supported: expect.arrayContaining(['pairwise']),
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic'],
        claims_supported: expect.arrayContaining(['pid', 'consent_id']),
        code_challenge_methods_supported: ['S256'],
        request_parameter_supported: true,
        require_request_uri_registration: true,
      });
      const jwks = await http('GET', `${base}/.well-known/jwks.json`);
      expect(jwks.json.keys).toHaveLength(1);
      expect(jwks.json.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String) });
      expect(jwks.json.keys[0].d).toBeUndefined();
    });
  });

  describe('authorization-code flow', () => {
    it('walks auth → consent page → approve → code → token → debt', async () => {
      const params = defaultAuthParams({ scope: 'debt.unsecured.presentation' });
      const page = await http('GET', authUrl(base, params));
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      expect(page.text).toContain('name="nationalId"');
      expect(page.text).toContain(PERSON_WITH_DEBT);
      expect(page.text).toContain(OTHER_PERSON_WITH_DEBT);
      for (const decision of ['approve', 'deny', 'cancel']) expect(page.text).toContain(`name="decision" value="${decision}"`);
      expect(page.text).not.toContain('<script');
      // The state and redirect_uri stay server-side.
      expect(page.text).not.toContain(params.state);
      expect(page.text).not.toContain(CALLBACK);

      const { action, challenge } = formFields(page.text);
      const submit = await http('POST', action, { form: { consent_challenge: challenge, nationalId: PERSON_WITH_DEBT, decision: 'approve' } });
      expect([302, 303]).toContain(submit.status);
      const location = new URL(submit.headers.location as string);
      expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
      expect(location.searchParams.get('state')).toBe(params.state);
      expect(location.searchParams.get('scope')).toBe('debt.unsecured.presentation');
      const code = location.searchParams.get('code')!;
      expect(code).toMatch(/^[\w-]+\.[\w-]+$/);

      const token = await exchangeCode(base, code);
      expect(token.status).toBe(200);
      expect(token.json).toEqual({ access_token: expect.stringMatching(/^[\w-]+\.[\w-]+$/), expires_in: 3599, scope: 'debt.unsecured.presentation', token_type: 'bearer' });
      expect(token.headers['cache-control']).toBe('no-store');

      const debt = await http('GET', `${base}/v1/debt`, { headers: bearer(token.json.access_token) });
      expect(debt.status).toBe(200);
      expect(debt.json.ssn).toBe(PERSON_WITH_DEBT);
      expect(debt.json.consent).toEqual({ id: expect.any(String), exp: expect.any(Number), scope: 'debt.unsecured.presentation' });
      expect(debt.json.numberOfcreditorsMissing).toBe(1);
      expect(debt.json.loans.filter((l: any) => l.loan === null)).toHaveLength(1);
      expect(new Set(debt.json.loans.filter((l: any) => l.loan).map((l: any) => l.loan.type))).toEqual(new Set(['creditFacility', 'repaymentLoan', 'chargeCard']));
      // A default consent lasts 10 minutes.
      expect(debt.json.consent.exp * 1000 - s.sandbox.now()).toBeLessThanOrEqual(600_000);
      expect(debt.json.consent.exp * 1000 - s.sandbox.now()).toBeGreaterThan(590_000);
    });

    it('lets the default consent be used once only', async () => {
      const { token } = await authCodeToken(base);
      expect((await http('GET', `${base}/v1/debt`, { headers: bearer(token.access_token) })).status).toBe(200);
      const again = await http('GET', `${base}/v1/debt`, { headers: bearer(token.access_token) });
      expect(again.status).toBe(403);
      expect(again.json).toMatchObject({ error: 'no valid consent', trace_id: expect.any(String), timestamp: expect.any(String) });
    });

    it('lets an extended consent (.N, clamped) be read repeatedly and shows the base scope', async () => {
      const { token, location } = await authCodeToken(base, { scope: 'debt.unsecured.processing.90 openid' });
      expect(location.searchParams.get('scope')).toBe('debt.unsecured.processing openid');
      expect(token.scope).toBe('debt.unsecured.processing openid');
      for (let i = 0; i < 3; i++) {
        const debt = await http('GET', `${base}/v1/debt`, { headers: bearer(token.access_token) });
        expect(debt.status).toBe(200);
        // 90 days asked, processing is clamped to 28.
        expect(Math.round((debt.json.consent.exp * 1000 - s.sandbox.now()) / 86_400_000)).toBe(28);
      }
    });

    it('gives a valid person without registered debt an empty list', async () => {
      const { token } = await authCodeToken(base, {}, PERSON_WITHOUT_DEBT);
      const debt = await http('GET', `${base}/v1/debt`, { headers: bearer(token.access_token) });
      expect(debt.json).toMatchObject({ ssn: PERSON_WITHOUT_DEBT, loans: [], numberOfCreditorsAnswered: 0, numberOfcreditorsMissing: 0 });
    });

    it('redirects consent_denied and login_cancelled with the state', async () => {
      for (const [decision, error] of [
        ['deny', 'consent_denied'],
        ['cancel', 'login_cancelled'],
      ]) {
        const { location, state } = await consentFlow(base, { decision });
        expect(location.searchParams.get('error')).toBe(error);
        expect(location.searchParams.get('state')).toBe(state);
        expect(location.searchParams.has('code')).toBe(false);
      }
    });

    it('re-renders the page for an invalid national id and keeps the pending consent', async () => {
      const page = await http('GET', authUrl(base, defaultAuthParams()));
      const { action, challenge } = formFields(page.text);
      const bad = await http('POST', action, { form: { consent_challenge: challenge, nationalId: '14842249092', decision: 'approve' } });
      expect(bad.status).toBe(400);
      expect(bad.text).toContain('Ugyldig fødselsnummer');
      const good = await http('POST', action, { form: { consent_challenge: challenge, nationalId: OTHER_PERSON_WITH_DEBT, decision: 'approve' } });
      expect(good.status).toBe(303);
      // The pending authorization is single use.
      const replay = await http('POST', action, { form: { consent_challenge: challenge, nationalId: OTHER_PERSON_WITH_DEBT, decision: 'approve' } });
      expect(replay.status).toBe(400);
      expect(replay.headers.location).toBeUndefined();
    });

    it('shows an error page and never redirects for an unknown client or unregistered redirect_uri', async () => {
      for (const params of [
        defaultAuthParams({ client_id: 'nobody' }),
        defaultAuthParams({ redirect_uri: 'https://evil.example/cb' }),
        defaultAuthParams({ redirect_uri: `${CALLBACK}/` }),
        defaultAuthParams({ redirect_uri: undefined }),
      ]) {
        const res = await http('GET', authUrl(base, params));
        expect(res.status).toBe(400);
        expect(res.headers.location).toBeUndefined();
        expect(res.headers['content-type']).toMatch(/text\/html/);
      }
    });

    it('redirects invalid_scopes for anything but one debt scope with optional trailing openid', async () => {
      for (const scope of [
        'openid debt.unsecured.presentation',
        'debt.unsecured.presentation debt.unsecured.processing',
        'debt.unsecured.presentation.abc',
        'consent.create',
        'openid',
        '',
      ]) {
        const params = defaultAuthParams({ scope });
        const res = await http('GET', authUrl(base, params));
        expect(res.status).toBe(302);
        const loc = new URL(res.headers.location as string);
        expect(loc.searchParams.get('error')).toBe('invalid_scopes');
        expect(loc.searchParams.get('state')).toBe(params.state);
      }
    });

    it('requires response_type=code and a state', async () => {
      const rt = await http('GET', authUrl(base, defaultAuthParams({ response_type: 'token' })));
      expect(new URL(rt.headers.location as string).searchParams.get('error')).toBe('unsupported_response_type');
      const noState = await http('GET', authUrl(base, defaultAuthParams({ state: undefined })));
      expect(noState.status).toBe(302);
      expect(new URL(noState.headers.location as string).searchParams.get('error')).toBe('invalid_state');
    });

    it('keeps a redirect_uri’s own query parameters', async () => {
      const { location } = await consentFlow(base, { params: { redirect_uri: 'http://127.0.0.1:9/other?x=1' } });
      expect(location.searchParams.get('x')).toBe('1');
      expect(location.searchParams.get('code')).toBeTruthy();
    });
  });

  describe('token endpoint', () => {
    it('accepts S256 PKCE and refuses plain, a missing or a wrong verifier', async () => {
      const plain = await http('GET', authUrl(base, defaultAuthParams({ code_challenge: 'x'.repeat(43), code_challenge_method: 'plain' })));
      expect(new URL(plain.headers.location as string).searchParams.get('error')).toBe('invalid_request');

      const pkce = pkcePair();
      const flow = async () => (await consentFlow(base, { params: { code_challenge: pkce.challenge, code_challenge_method: 'S256' } })).location.searchParams.get('code')!;
      const missing = await exchangeCode(base, await flow());
      expect(missing.status).toBe(400);
      expect(missing.json.error).toBe('invalid_grant');
      const wrong = await exchangeCode(base, await flow(), { code_verifier: pkcePair().verifier });
      expect(wrong.json.error).toBe('invalid_grant');
      const ok = await exchangeCode(base, await flow(), { code_verifier: pkce.verifier });
      expect(ok.status).toBe(200);
    });

    it('refuses a reused code and revokes the token issued from it, as Hydra does', async () => {
      const { location } = await consentFlow(base, { params: { scope: 'debt.unsecured.presentation.30' } });
      const code = location.searchParams.get('code')!;
      const first = await exchangeCode(base, code);
      expect(first.status).toBe(200);
      expect((await http('GET', `${base}/v1/debt`, { headers: bearer(first.json.access_token) })).status).toBe(200);
      const second = await exchangeCode(base, code);
      expect(second.status).toBe(400);
      expect(second.json).toEqual({ error: 'invalid_grant', error_description: expect.any(String) });
      const after = await http('GET', `${base}/v1/debt`, { headers: bearer(first.json.access_token) });
      expect(after.status).toBe(403);
      expect(after.json.error).toBe('invalid access token');
    });

    it('refuses a code with another redirect_uri or from another client', async () => {
      const code = (await consentFlow(base)).location.searchParams.get('code')!;
      expect((await exchangeCode(base, code, { redirect_uri: 'http://127.0.0.1:9/other?x=1' })).json.error).toBe('invalid_grant');
      const code2 = (await consentFlow(base)).location.searchParams.get('code')!;
      const foreign = await http('POST', `${base}/oauth2/token`, {
        headers: { authorization: basic(OTHER_CLIENT.clientId, OTHER_CLIENT.clientSecret) },
        form: { grant_type: 'authorization_code', code: code2, redirect_uri: CALLBACK },
      });
      expect(foreign.json.error).toBe('invalid_grant');
    });

    it('accepts client_secret_basic only: no secret in the body, not even alongside Basic', async () => {
      const form = { grant_type: 'client_credentials', audience: `${base}/v1/debt`, scope: 'debt.unsecured.presentation' };
      const post = await http('POST', `${base}/oauth2/token`, { form: { ...form, client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret } });
      expect(post.status).toBe(401);
      expect(post.json.error).toBe('invalid_client');
      const both = await http('POST', `${base}/oauth2/token`, { headers: { authorization: basic(CLIENT.clientId, CLIENT.clientSecret) }, form: { ...form, client_secret: CLIENT.clientSecret } });
      expect(both.status).toBe(401);
      expect(both.json.error).toBe('invalid_client');
      const wrong = await http('POST', `${base}/oauth2/token`, { headers: { authorization: basic(CLIENT.clientId, 'nope') }, form });
      expect(wrong.status).toBe(401);
      // Without form-encoding before base64, a secret with reserved characters does not authenticate.
      const raw = await http('POST', `${base}/oauth2/token`, {
        headers: { authorization: `Basic ${Buffer.from(`${CLIENT.clientId}:${CLIENT.clientSecret}`).toString('base64')}` },
        form,
      });
      expect(raw.status).toBe(401);
      const none = await http('POST', `${base}/oauth2/token`, { form });
      expect(none.status).toBe(401);
    });

    it('issues client-credentials tokens for the three exact audiences and refuses wrong pairs', async () => {
      const debt = await clientCredentials(base, '/v1/debt', 'debt.unsecured.presentation debt.unsecured.processing');
      expect(debt.json).toEqual({ access_token: expect.any(String), expires_in: 3599, scope: 'debt.unsecured.presentation debt.unsecured.processing', token_type: 'bearer' });
      expect((await clientCredentials(base, '/v1/consent/agreement', 'consent.create')).json.scope).toBe('consent.create');
      expect((await clientCredentials(base, '/feed/v1/consent', 'client.access.consent.events')).json.scope).toBe('client.access.consent.events');

      expect((await clientCredentials(base, '/v1/debt', 'consent.create')).json.error).toBe('invalid_scope');
      expect((await clientCredentials(base, '/feed/v1/consent', 'debt.unsecured.presentation')).json.error).toBe('invalid_scope');
      expect((await clientCredentials(base, '/v1/debt', 'debt.unsecured.presentation.30')).json.error).toBe('invalid_scope');
      expect((await clientCredentials(base, '/v1/debt/', 'debt.unsecured.presentation')).json.error).toBe('invalid_request');
      expect((await clientCredentials(base, '/v1/other', 'consent.create')).json.error).toBe('invalid_request');
      const unsupported = await http('POST', `${base}/oauth2/token`, { headers: { authorization: basic(CLIENT.clientId, CLIENT.clientSecret) }, form: { grant_type: 'password' } });
      expect(unsupported.json.error).toBe('unsupported_grant_type');
    });

    it('issues an RS256 ID token with pid, consent_id, nonce and a pairwise sub, verifiable against the JWKS', async () => {
      const nonce = `nonce-${randomUUID()}`;
      const { token } = await authCodeToken(base, { scope: 'debt.unsecured.presentation.365 openid', nonce });
      expect(token.id_token).toEqual(expect.any(String));
      const jwks = createRemoteJWKSet(new URL(`${base}/.well-known/jwks.json`));
      const { payload, protectedHeader } = await jwtVerify(token.id_token, jwks, { issuer: `${base}/`, audience: CLIENT.clientId, currentDate: new Date(s.sandbox.now()) });
      expect(protectedHeader.alg).toBe('RS256');
      expect(payload).toMatchObject({ pid: PERSON_WITH_DEBT, nonce, consent_id: expect.any(String) });
      expect(payload.sub).not.toBe(PERSON_WITH_DEBT);
      expect(payload.exp! - payload.iat!).toBe(3599);
      const debt = await http('GET', `${base}/v1/debt`, { headers: bearer(token.access_token) });
      expect(debt.json.consent.id).toBe(payload.consent_id);
      // Pairwise: stable for this client and person, different for another client.
      const again = await authCodeToken(base, { scope: 'debt.unsecured.presentation openid', nonce }, PERSON_WITH_DEBT);
      expect(decodeJwt(again.token.id_token).sub).toBe(payload.sub);
      expect(s.sandbox.pairwiseSubject(OTHER_CLIENT.clientId, PERSON_WITH_DEBT)).not.toBe(payload.sub);
    });

    it('issues no ID token without openid, or when switched off', async () => {
      expect((await authCodeToken(base)).token.id_token).toBeUndefined();
      const off = await startTestSandbox({ issueIdToken: false });
      try {
        const { token } = await authCodeToken(off.url, { scope: 'debt.unsecured.presentation openid' });
        expect(token.id_token).toBeUndefined();
        expect(token.scope).toBe('debt.unsecured.presentation openid');
      } finally {
        await off.close();
      }
    });

    it('lets access tokens expire after 3599 seconds on the sandbox clock, with 403', async () => {
      const token = await debtToken(base);
      const consent = s.sandbox.createConsent({ clientId: CLIENT.clientId, nationalId: PERSON_WITH_DEBT, scope: 'debt.unsecured.presentation', durationDays: 365 });
      expect((await http('GET', `${base}/v1/debt/${consent.id}`, { headers: bearer(token) })).status).toBe(200);
      s.sandbox.advanceClock(3599 * 1000);
      const expired = await http('GET', `${base}/v1/debt/${consent.id}`, { headers: bearer(token) });
      expect(expired.status).toBe(403);
      expect(expired.json).toMatchObject({ error: 'invalid access token', error_description: 'Access token is expired' });
    });
  });

  describe('debt, status and revoke with client credentials', () => {
    it('reads debt by consent id, reports status, revokes with 204 and then refuses', async () => {
      const { token } = await authCodeToken(base, { scope: 'debt.unsecured.presentation.100 openid' });
      const consentId = (await http('GET', `${base}/v1/debt`, { headers: bearer(token.access_token) })).json.consent.id as string;
      const cc = await debtToken(base);

      const byId = await http('GET', `${base}/v1/debt/${consentId}`, { headers: bearer(cc) });
      expect(byId.status).toBe(200);
      expect(byId.json.consent.id).toBe(consentId);
      const status = await http('GET', `${base}/v1/debt/${consentId}/status`, { headers: bearer(cc) });
      expect(status.json).toEqual({ active: true, expires_at: byId.json.consent.exp });

      const del = await http('DELETE', `${base}/v1/debt/${consentId}`, { headers: bearer(cc) });
      expect(del.status).toBe(204);
      expect(del.text).toBe('');
      expect((await http('GET', `${base}/v1/debt/${consentId}/status`, { headers: bearer(cc) })).json.active).toBe(false);
      const after = await http('GET', `${base}/v1/debt/${consentId}`, { headers: bearer(cc) });
      expect(after.status).toBe(403);
      expect(after.json).toMatchObject({ error: 'invalid consent', error_description: expect.stringMatching(/^Consent revoked at /) });
      expect((await http('DELETE', `${base}/v1/debt/${consentId}`, { headers: bearer(cc) })).status).toBe(403);
      expect((await http('GET', `${base}/v1/debt`, { headers: bearer(token.access_token) })).status).toBe(403);
    });

    it('keeps one client’s consents invisible to another', async () => {
      const consent = s.sandbox.createConsent({ clientId: CLIENT.clientId, nationalId: PERSON_WITH_DEBT, scope: 'debt.unsecured.presentation', durationDays: 30 });
      const otherToken = await debtToken(base, OTHER_CLIENT);
      expect((await http('GET', `${base}/v1/debt/${consent.id}`, { headers: bearer(otherToken) })).status).toBe(403);
      expect((await http('DELETE', `${base}/v1/debt/${consent.id}`, { headers: bearer(otherToken) })).status).toBe(403);
      expect((await http('GET', `${base}/v1/debt/${consent.id}/status`, { headers: bearer(otherToken) })).json).toEqual({ active: false, expires_at: 0 });
      expect(s.sandbox.listConsents()[0].active).toBe(true);
    });

    it('answers NoGi’s documented errors: 403 for tokens and consents, 400 for malformed ids', async () => {
      const cc = await debtToken(base);
      const noToken = await http('GET', `${base}/v1/debt/${randomUUID()}`);
      expect(noToken.status).toBe(403);
      expect(noToken.json.error).toBe('invalid access token');
      const statusNoToken = await http('GET', `${base}/v1/debt/${randomUUID()}/status`, { headers: bearer('abc.def') });
      expect(statusNoToken.status).toBe(403);
      expect(statusNoToken.json).toEqual({ error: 'Invalid access token', timestamp: expect.any(String), trace_id: expect.any(String) });
      const traced = await http('GET', `${base}/v1/debt`, { headers: { 'x-trace-id': 'trace-me-123' } });
      expect(traced.json.trace_id).toBe('trace-me-123');
      expect((await http('GET', `${base}/v1/debt/not-a-uuid`, { headers: bearer(cc) })).status).toBe(400);
      expect((await http('GET', `${base}/v1/debt/not-a-uuid/status`, { headers: bearer(cc) })).status).toBe(400);
      const unknown = await http('GET', `${base}/v1/debt/${randomUUID()}`, { headers: bearer(cc) });
      expect(unknown.status).toBe(403);
      expect(unknown.json.error).toBe('invalid consent');
      expect((await http('GET', `${base}/v1/debt/${randomUUID()}/status`, { headers: bearer(cc) })).json).toEqual({ active: false, expires_at: 0 });
      // A feed token is no debt token.
      const feed = await feedToken(base);
      expect((await http('GET', `${base}/v1/debt/${randomUUID()}/status`, { headers: bearer(feed) })).status).toBe(403);
    });

    it('needs the consent’s scope on the debt token', async () => {
      const consent = s.sandbox.createConsent({ clientId: CLIENT.clientId, nationalId: PERSON_WITH_DEBT, scope: 'debt.unsecured.processing', durationDays: 10 });
      const presentationOnly = await ccToken(base, '/v1/debt', 'debt.unsecured.presentation');
      const res = await http('GET', `${base}/v1/debt/${consent.id}`, { headers: bearer(presentationOnly) });
      expect(res.status).toBe(403);
      expect(res.json.error).toBe('invalid consent');
    });

    it('expires consents on the sandbox clock', async () => {
      const cc = await debtToken(base);
      const consent = s.sandbox.createConsent({ clientId: CLIENT.clientId, nationalId: OTHER_PERSON_WITH_DEBT, scope: 'debt.unsecured.processing', durationDays: 2 });
      s.sandbox.advanceClock(2 * 86_400_000 - 60_000);
      expect((await http('GET', `${base}/v1/debt/${consent.id}/status`, { headers: bearer(await debtToken(base)) })).json.active).toBe(true);
      s.sandbox.advanceClock(60_000);
      const fresh = await debtToken(base);
      const res = await http('GET', `${base}/v1/debt/${consent.id}`, { headers: bearer(fresh) });
      expect(res.status).toBe(403);
      expect(res.json.error_description).toMatch(/^Consent expired at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      expect((await http('GET', `${base}/v1/debt/${consent.id}/status`, { headers: bearer(fresh) })).json).toEqual({ active: false, expires_at: Math.floor(Date.parse(consent.expiresAt) / 1000) });
      void cc;
    });
  });

  describe('agreement API', () => {
    const body = (over: Record<string, unknown> = {}) => ({
      nin: PERSON_WITH_DEBT,
      scope_of_consent: 'debt.unsecured.presentation',
      consent_duration_days: 100,
      client_consent_id: randomUUID(),
      ...over,
    });

    it('registers a consent with 200, is idempotent for identical data and 409 for different data', async () => {
      const token = await agreementToken(base);
      const req = body();
      const first = await registerAgreement(base, token, req);
      expect(first.status).toBe(200);
      expect(first.json).toEqual({ client_consent_id: req.client_consent_id, consent: { id: expect.any(String), expires_at: expect.any(String), scope_of_consent: 'debt.unsecured.presentation' } });
      expect(Math.round((Date.parse(first.json.consent.expires_at) - s.sandbox.now()) / 86_400_000)).toBe(100);
      const again = await registerAgreement(base, token, req);
      expect(again.json).toEqual(first.json);
      const conflict = await registerAgreement(base, token, { ...req, consent_duration_days: 30 });
      expect(conflict.status).toBe(409);
      expect(conflict.json).toMatchObject({ status: 409, error: 'Conflict', path: `${base}/v1/consent/agreement`, requestId: expect.any(String), timestamp: expect.any(String) });

      const debt = await http('GET', `${base}/v1/debt/${first.json.consent.id}`, { headers: bearer(await debtToken(base)) });
      expect(debt.status).toBe(200);
      expect(debt.json.ssn).toBe(PERSON_WITH_DEBT);
    });

    it('accepts the duration as a numeric string like NoGi’s Python sample, and refuses more than the maximum with 400', async () => {
      const token = await agreementToken(base);
      expect((await registerAgreement(base, token, body({ consent_duration_days: '100' }))).status).toBe(200);
      expect((await registerAgreement(base, token, body({ scope_of_consent: 'debt.unsecured.processing', consent_duration_days: 28 }))).status).toBe(200);
      const tooLong = await registerAgreement(base, token, body({ scope_of_consent: 'debt.unsecured.processing', consent_duration_days: 29 }));
      expect(tooLong.status).toBe(400);
      expect(tooLong.json.message).toMatch(/at most 28/);
      expect((await registerAgreement(base, token, body({ consent_duration_days: 366 }))).status).toBe(400);
    });

    it('refuses bad bodies with 400, a missing token with 401 without body, another token with 403', async () => {
      const token = await agreementToken(base);
      for (const bad of [
        body({ nin: undefined }),
        body({ nin: '14842249092' }),
        body({ scope_of_consent: 'debt.unsecured.presentation.100' }),
        body({ consent_duration_days: 1.5 }),
        body({ consent_duration_days: 0 }),
        body({ client_consent_id: '' }),
      ]) {
        const res = await registerAgreement(base, token, bad);
        expect(res.status).toBe(400);
        expect(res.json).toMatchObject({ status: 400, error: 'Bad Request' });
      }
      const malformed = await http('PUT', `${base}/v1/consent/agreement`, { headers: { ...bearer(token), 'content-type': 'application/json' }, body: '{"nin":' });
      expect(malformed.status).toBe(400);
      expect(malformed.json).toMatchObject({ status: 400, error: 'Bad Request', requestId: expect.any(String) });
      const noToken = await registerAgreement(base, 'nope.nope', body());
      expect(noToken.status).toBe(401);
      expect(noToken.text).toBe('');
      const debtOnly = await registerAgreement(base, await debtToken(base), body());
      expect(debtOnly.status).toBe(403);
      expect(debtOnly.json.status).toBe(403);
    });
  });

  describe('consents feed', () => {
    async function page(token: string, from: number, limit: number) {
      return http('GET', `${base}/feed/v1/consent?fromSequenceNr=${from}&limit=${limit}`, { headers: bearer(token) });
    }

    it('shows created and archived events with non-contiguous increasing sequence numbers', async () => {
      const aToken = await agreementToken(base);
      const external = randomUUID();
      const agreement = await registerAgreement(base, aToken, { nin: PERSON_WITH_DEBT, scope_of_consent: 'debt.unsecured.processing', consent_duration_days: 20, client_consent_id: external });
      const flowConsentId = (await http('GET', `${base}/v1/debt`, { headers: bearer((await authCodeToken(base, { scope: 'debt.unsecured.presentation.5' })).token.access_token) })).json.consent.id;
      for (let i = 0; i < 10; i++) s.sandbox.createConsent({ clientId: CLIENT.clientId, nationalId: PERSON_WITHOUT_DEBT, scope: 'debt.unsecured.presentation', durationDays: 1 });
      // Revoked by the bank, and archived by the person at norskgjeld.no.
      expect((await http('DELETE', `${base}/v1/debt/${agreement.json.consent.id}`, { headers: bearer(await debtToken(base)) })).status).toBe(204);
      s.sandbox.archiveConsent(flowConsentId);

      const token = await feedToken(base);
      const first = (await http('GET', `${base}/feed/v1/consent/firstSequenceNr`, { headers: bearer(token) })).json.firstSequenceNr;
      const last = (await http('GET', `${base}/feed/v1/consent/lastSequenceNr`, { headers: bearer(token) })).json.lastSequenceNr;
      expect(first).toBeGreaterThan(1);
      expect(last).toBeGreaterThan(first);

      const events: any[] = [];
      let from = first;
      for (;;) {
        const res = await page(token, from, 3);
        expect(res.status).toBe(200);
        events.push(...res.json.result);
        if (res.json.result.length === 0 || res.json.endSequenceNr >= last) break;
        from = Math.max(...res.json.result.map((e: any) => e.sequenceNr)) + 1;
      }
      expect(events).toHaveLength(14);
      const seqs = events.map((e) => e.sequenceNr);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(seqs.length);
      // 14 events over more than 14 numbers: gaps exist.
      expect(seqs[seqs.length - 1] - seqs[0]).toBeGreaterThan(seqs.length - 1);
      for (const e of events) expect(e.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);

      const created = events.find((e) => e.consentId === agreement.json.consent.id && e.eventType === 'SAMTYKKE_OPPRETTET');
      expect(created.samtykkeOpprettetEvent).toEqual({ clientId: expect.any(String), consentId: agreement.json.consent.id, scope: 'debt.unsecured.processing', externalConsentId: external });
      expect(created.samtykkeArkivertEvent).toBeNull();
      const revoked = events.find((e) => e.consentId === agreement.json.consent.id && e.eventType === 'SAMTYKKE_ARKIVERT');
      expect(revoked.samtykkeOpprettetEvent).toBeNull();
      // Like NoGi's own example: the nested consentId carries the externalConsentId.
      expect(revoked.samtykkeArkivertEvent.consentId).toBe(external);
      const flowCreated = events.find((e) => e.consentId === flowConsentId && e.eventType === 'SAMTYKKE_OPPRETTET');
      expect(flowCreated.samtykkeOpprettetEvent.externalConsentId).toBeUndefined();
      const archived = events.find((e) => e.consentId === flowConsentId && e.eventType === 'SAMTYKKE_ARKIVERT');
      expect(archived.samtykkeArkivertEvent.consentId).toBe(flowConsentId);
      expect(s.sandbox.listConsents().find((c) => c.id === flowConsentId)).toMatchObject({ active: false, revokedBy: 'person' });

      // The other client sees none of it.
      const otherFeed = await page(await feedToken(base, OTHER_CLIENT), 1, 100);
      expect(otherFeed.json.result).toEqual([]);
    });

    it('occasionally emits an event stamped before its predecessor', async () => {
      for (let i = 0; i < 60; i++) s.sandbox.createConsent({ clientId: CLIENT.clientId, nationalId: PERSON_WITH_DEBT, scope: 'debt.unsecured.presentation', durationDays: 1 });
      const res = await page(await feedToken(base), 1, 1000);
      const times = res.json.result.map((e: any) => e.timestamp as string);
      const outOfOrder = times.some((t: string, i: number) => i > 0 && t < times[i - 1]);
      expect(outOfOrder).toBe(true);
    });

    it('archives on expiry, keeps a 7-day window and moves firstSequenceNr', async () => {
      const consent = s.sandbox.createConsent({ clientId: CLIENT.clientId, nationalId: PERSON_WITH_DEBT, scope: 'debt.unsecured.processing', durationDays: 1 });
      const token = () => feedToken(base);
      const first0 = (await http('GET', `${base}/feed/v1/consent/firstSequenceNr`, { headers: bearer(await token()) })).json.firstSequenceNr;
      s.sandbox.advanceClock(86_400_000);
      const res = await page(await token(), 1, 10);
      expect(res.json.result.map((e: any) => e.eventType)).toEqual(['SAMTYKKE_OPPRETTET', 'SAMTYKKE_ARKIVERT']);
      expect(res.json.result[1].consentId).toBe(consent.id);

      s.sandbox.advanceClock(6 * 86_400_000 + 1);
      const later = await page(await token(), 1, 10);
      // The created event is older than 7 days now; the archived one (stamped at expiry) is not.
      expect(later.json.result.map((e: any) => e.eventType)).toEqual(['SAMTYKKE_ARKIVERT']);
      const first1 = (await http('GET', `${base}/feed/v1/consent/firstSequenceNr`, { headers: bearer(await token()) })).json.firstSequenceNr;
      expect(first1).toBeGreaterThan(first0);
      s.sandbox.advanceClock(86_400_000);
      const empty = await page(await token(), 1, 10);
      expect(empty.json).toMatchObject({ result: [], startSequenceNr: 1, endSequenceNr: 1 });
      const last = (await http('GET', `${base}/feed/v1/consent/lastSequenceNr`, { headers: bearer(await token()) })).json.lastSequenceNr;
      expect((await http('GET', `${base}/feed/v1/consent/firstSequenceNr`, { headers: bearer(await token()) })).json.firstSequenceNr).toBe(last + 1);
      const beyond = await page(await token(), last + 1, 10);
      expect(beyond.json).toMatchObject({ result: [], startSequenceNr: last + 1, endSequenceNr: last });
    });

    it('needs both query parameters and a feed token', async () => {
      const token = await feedToken(base);
      expect((await http('GET', `${base}/feed/v1/consent?limit=5`, { headers: bearer(token) })).status).toBe(400);
      expect((await http('GET', `${base}/feed/v1/consent?fromSequenceNr=1`, { headers: bearer(token) })).status).toBe(400);
      expect((await http('GET', `${base}/feed/v1/consent?fromSequenceNr=x&limit=5`, { headers: bearer(token) })).status).toBe(400);
      const noToken = await http('GET', `${base}/feed/v1/consent?fromSequenceNr=1&limit=5`);
      expect(noToken.status).toBe(401);
      expect(noToken.text).toBe('');
      expect((await http('GET', `${base}/feed/v1/consent/lastSequenceNr`, { headers: bearer(await debtToken(base)) })).status).toBe(403);
    });
  });

  describe('mounted inside another Fastify instance', () => {
    it('works under a prefix and adds no parser or hook outside its own scope', async () => {
      const host = Fastify();
      host.post('/host-form', async (req) => ({ body: req.body ?? null }));
      await host.listen({ port: 0, host: '127.0.0.1' });
      const addr = host.server.address() as { port: number };
      const hostUrl = `http://127.0.0.1:${addr.port}`;
      const sandbox = new NogiSandbox({ baseUrl: `${hostUrl}/sandbox/nogi`, clients: [CLIENT] });
      await host.close();

      const app = Fastify({ forceCloseConnections: true });
      app.post('/host-form', async (req) => ({ body: req.body ?? null }));
      await app.register(nogiSandboxPlugin, { sandbox, prefix: '/sandbox/nogi' });
      await app.listen({ port: addr.port, host: '127.0.0.1' });
      try {
        const mounted = `${hostUrl}/sandbox/nogi`;
        const { token } = await authCodeToken(mounted, { scope: 'debt.unsecured.presentation openid' });
        expect((await http('GET', `${mounted}/v1/debt`, { headers: bearer(token.access_token) })).status).toBe(200);
        expect((await http('GET', `${mounted}/.well-known/openid-configuration`)).json.token_endpoint).toBe(`${mounted}/oauth2/token`);
        // The host has no form parser of its own: 415 proves formbody stayed inside the plugin.
        expect((await http('POST', `${hostUrl}/host-form`, { form: { a: '1' } })).status).toBe(415);
        expect(sandbox.getCalls().every((c) => c.path.startsWith('/sandbox/nogi/'))).toBe(true);
      } finally {
        await app.close();
      }
    });
  });
});
