import { Client } from 'pg';
import { startNogiSandbox, StartedNogiSandbox } from '../../src/providers/nogi/sandbox';
import { api, isolatedDatabase } from '../consents/consents.helpers';
import { http } from '../sandbox/nogi-sandbox.helpers';
import { consentAtNogi, FLOW_SCOPES, followCallback, startFlow, walkFlow } from '../support/consent-walk';
import { freshNationalId, OTHER_PERSON_WITH_DEBT, PERSON_WITH_DEBT } from '../support/national-ids';
import { eventually } from '../support/tcp-proxy';
import { startTestApp, TEST_CLIENT, TEST_RETURN_ORIGIN, TestApp } from '../support/test-app';

const REDIRECT_URI = 'http://127.0.0.1:3000/v1/consent-flows/callback';

describe('consent flow over HTTP against the NoGi sandbox', () => {
  let nogi: StartedNogiSandbox;
  let app: TestApp;
  let token: string;
  // A database of its own: discarded consents are revoked by this app's outbox worker, and another
  // suite's worker must not deliver them to its own sandbox.
  let db: { url: string; drop(): Promise<void> };
  let sql: Client;

  beforeAll(async () => {
    db = await isolatedDatabase();
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    nogi = await startNogiSandbox({ port: 0, clients: [{ clientId: TEST_CLIENT.id, clientSecret: TEST_CLIENT.secret, redirectUris: [REDIRECT_URI] }] });
    app = await startTestApp({ nogiUrl: nogi.url, env: { DATABASE_URL: db.url } });
    token = await app.issuer.service(FLOW_SCOPES);
  });

  afterAll(async () => {
    await app?.close();
    await nogi?.close();
    await sql?.end();
    await db?.drop();
  });

  beforeEach(() => {
    nogi.sandbox.clearFaults();
    nogi.sandbox.clearCalls();
    nogi.sandbox.idTokenFault = undefined;
    nogi.sandbox.extraLoans = undefined;
  });

  const bearer = (t = token) => ({ authorization: `Bearer ${t}` });
  const consentRow = async (providerConsentId: string) =>
    (await sql.query('SELECT id, status, national_id_hash, source FROM consent WHERE provider_consent_id = $1', [providerConsentId])).rows[0] as
      | { id: string; status: string; national_id_hash: string | null; source: string }
      | undefined;
  const pendingRevocations = async (consentId: string) => (await sql.query('SELECT id FROM revocation_outbox WHERE consent_id = $1 AND delivered_at IS NULL', [consentId])).rowCount;
  /**
   * The outbox worker revoked the consent NoGi granted in this test: NoGi saw one revocation,
   * confirmed it and holds the consent as inactive; here it is revoked, with no customer.
   */
  const expectOneConsentRevokedAtNogi = async () => {
    const revoked = await eventually(async () => nogi.sandbox.getCalls('revoke'), (calls) => calls.some((c) => c.status === 204), 15_000);
    expect(revoked).toHaveLength(1);
    const consent = nogi.sandbox.listConsents(TEST_CLIENT.id).find((c) => revoked[0].path.endsWith(c.id))!;
    expect(consent.active).toBe(false);
    const row = await eventually(() => consentRow(consent.id), (r) => r?.status === 'revoked');
    expect(row).toMatchObject({ national_id_hash: null, source: 'flow' });
  };
  const getFlowOf = (of: TestApp, id: string, t = token) => http('GET', `${of.url}/v1/consent-flows/${id}`, { headers: bearer(t) });
  const getFlow = (id: string, t = token) => getFlowOf(app, id, t);
  const getDebt = (id: string, t = token) => http('GET', `${app.url}/v1/consent-flows/${id}/debt`, { headers: bearer(t) });

  describe('the whole walk, as a browser does it', () => {
    it('collects the debt once with a default (one-time) presentation consent and returns the customer to the bank', async () => {
      const { flow, callback, returnedTo } = await walkFlow(app, token, { body: { nationalId: PERSON_WITH_DEBT }, personAtNogi: PERSON_WITH_DEBT });
      expect(flow.scope).toBe('debt.unsecured.presentation openid');
      expect(flow.durationDays).toBeNull();
      expect(returnedTo.origin + returnedTo.pathname).toBe(`${TEST_RETURN_ORIGIN}/done`);
      expect(Object.fromEntries(returnedTo.searchParams)).toEqual({ tab: 'loans', flowId: flow.id, status: 'completed' });
      expect(callback.headers['cache-control']).toBe('no-store');
      expect(callback.headers['referrer-policy']).toBe('no-referrer');
      expect(returnedTo.toString()).not.toMatch(/code=|state=|14842249091/);

      const read = await getFlow(flow.id);
      expect(read.status).toBe(200);
      expect(read.json).toMatchObject({ id: flow.id, status: 'completed', purpose: 'presentation', durationDays: null, consentId: expect.any(String) });

      const debt = await getDebt(flow.id);
      expect(debt.status).toBe(200);
      expect(debt.headers['cache-control']).toBe('no-store');
      expect(debt.text).not.toContain('ssn');
      expect(debt.text).not.toContain(PERSON_WITH_DEBT);
      const body = debt.json as { loans: Array<{ creditorName: string; loan: { type: string } | null }>; numberOfcreditorsMissing: number; consent: { id: string } };
      expect(body.consent.id).toBe((read.json as { consentId: string }).consentId);
      expect(new Set(body.loans.filter((l) => l.loan).map((l) => l.loan!.type))).toEqual(new Set(['creditFacility', 'repaymentLoan', 'chargeCard']));
      expect(body.loans.some((l) => l.loan === null)).toBe(true);
      expect(body.numberOfcreditorsMissing).toBeGreaterThan(0);
      for (const l of body.loans) for (const v of Object.values(l.loan ?? {})) if (typeof v === 'number') expect(Number.isInteger(v)).toBe(true);
    });

    it('asks for processing 40 days as .28 and reports 28', async () => {
      const { flow } = await walkFlow(app, token, { body: { nationalId: OTHER_PERSON_WITH_DEBT, purpose: 'processing', durationDays: 40 }, personAtNogi: OTHER_PERSON_WITH_DEBT });
      expect(flow.scope).toBe('debt.unsecured.processing.28 openid');
      expect(flow.durationDays).toBe(28);
      const read = (await getFlow(flow.id)).json as { status: string; durationDays: number; consentExpiresAt: string };
      expect(read.status).toBe('completed');
      expect(read.durationDays).toBe(28);
      const days = (Date.parse(read.consentExpiresAt) - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(27.9);
      expect(days).toBeLessThanOrEqual(28.01);
      expect(new URL(nogi.sandbox.getCalls('auth')[0].path, nogi.url).searchParams.get('scope') ?? nogi.sandbox.getCalls('auth')[0].query.scope).toBe('debt.unsecured.processing.28 openid');
    });

    it('reads the flow debt twice with exactly one upstream debt call', async () => {
      const { flow } = await walkFlow(app, token, { body: { nationalId: PERSON_WITH_DEBT, durationDays: 30 }, personAtNogi: PERSON_WITH_DEBT });
      const first = await getDebt(flow.id);
      const second = await getDebt(flow.id);
      expect(first.status).toBe(200);
      expect(second.json).toEqual(first.json);
      expect(nogi.sandbox.getCalls('debt')).toHaveLength(1);
    });

    it('exchanges the code with HTTP Basic only, PKCE S256, and no secret in the body', async () => {
      await walkFlow(app, token, { body: { nationalId: PERSON_WITH_DEBT }, personAtNogi: PERSON_WITH_DEBT });
      const auth = nogi.sandbox.getCalls('auth')[0].query as Record<string, string>;
      expect(auth).toMatchObject({ response_type: 'code', client_id: TEST_CLIENT.id, redirect_uri: REDIRECT_URI, code_challenge_method: 'S256' });
      expect(auth.state.length).toBeGreaterThanOrEqual(43);
      expect(auth.nonce.length).toBeGreaterThanOrEqual(43);
      const [exchange] = nogi.sandbox.getCalls('token');
      expect(exchange.headers.authorization).toBe('Basic');
      expect(exchange.headers.basicClientId).toBe(TEST_CLIENT.id);
      const form = exchange.body as Record<string, string>;
      expect(form).toMatchObject({ grant_type: 'authorization_code', redirect_uri: REDIRECT_URI });
      expect(form.code_verifier).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
      expect(form).not.toHaveProperty('client_secret');
      expect(JSON.stringify(form)).not.toContain(TEST_CLIENT.secret);
    });
  });

  describe('NoGi answers with an error', () => {
    it.each([
      ['deny', 'denied', 'consent_denied'],
      ['cancel', 'denied', 'login_cancelled'],
    ] as const)('a customer who chooses %s returns to the bank with status %s (%s)', async (decision, status, error) => {
      const { flow, returnedTo } = await walkFlow(app, token, { body: { nationalId: PERSON_WITH_DEBT }, personAtNogi: PERSON_WITH_DEBT, decision });
      expect(returnedTo.searchParams.get('status')).toBe(status);
      expect((await getFlow(flow.id)).json).toMatchObject({ status, error });
      expect(nogi.sandbox.getCalls('token')).toHaveLength(0);
      const debt = await getDebt(flow.id);
      expect(debt.status).toBe(409);
      expect(debt.json).toMatchObject({ code: 'FLOW_NOT_COMPLETED' });
    });

    it('fails the flow when NoGi reports server_error', async () => {
      nogi.sandbox.injectFault({ endpoint: 'auth', kind: 'status', status: 500, times: 1 });
      const started = (await startFlow(app, token, { nationalId: PERSON_WITH_DEBT })).json as { id: string; authorizationUrl: string };
      const redirect = await http('GET', started.authorizationUrl);
      const location = new URL(String(redirect.headers.location));
      expect(location.searchParams.get('error')).toBe('server_error');
      const callback = await followCallback(`${app.url}${location.pathname}${location.search}`);
      expect(callback.status).toBe(303);
      expect((await getFlow(started.id)).json).toMatchObject({ status: 'failed', error: 'server_error' });
    });
  });

  describe('state is one-time and checked before anything else', () => {
    it('answers a replayed callback with 400 and makes no second token exchange', async () => {
      const started = (await startFlow(app, token, { nationalId: PERSON_WITH_DEBT })).json as { authorizationUrl: string };
      const callbackUrl = await consentAtNogi(app, started.authorizationUrl, { nationalId: PERSON_WITH_DEBT });
      expect((await followCallback(callbackUrl)).status).toBe(303);
      const replay = await followCallback(callbackUrl, 'application/json');
      expect(replay.status).toBe(400);
      expect(replay.headers['content-type']).toContain('application/problem+json');
      expect(replay.json).toMatchObject({ code: 'INVALID_STATE', status: 400 });
      expect(nogi.sandbox.getCalls('token')).toHaveLength(1);
    });

    it('lets exactly one of two concurrent callbacks with the same state through', async () => {
      const started = (await startFlow(app, token, { nationalId: PERSON_WITH_DEBT })).json as { authorizationUrl: string };
      const callbackUrl = await consentAtNogi(app, started.authorizationUrl, { nationalId: PERSON_WITH_DEBT });
      const results = await Promise.all([followCallback(callbackUrl), followCallback(callbackUrl)]);
      expect(results.map((r) => r.status).sort()).toEqual([303, 400]);
      expect(nogi.sandbox.getCalls('token')).toHaveLength(1);
    });

    it('refuses an unknown or tampered state with 400 (an HTML page for browsers) and calls nothing upstream', async () => {
      const started = (await startFlow(app, token, { nationalId: PERSON_WITH_DEBT })).json as { authorizationUrl: string };
      const callbackUrl = new URL(await consentAtNogi(app, started.authorizationUrl, { nationalId: PERSON_WITH_DEBT }));
      const state = callbackUrl.searchParams.get('state')!;
      callbackUrl.searchParams.set('state', `${state.slice(0, -1)}${state.endsWith('A') ? 'B' : 'A'}`);
      const tampered = await followCallback(callbackUrl.toString());
      expect(tampered.status).toBe(400);
      expect(tampered.headers['content-type']).toContain('text/html');
      expect(tampered.text).not.toContain(state);
      callbackUrl.searchParams.set('state', 'x'.repeat(43));
      expect((await followCallback(callbackUrl.toString(), 'application/json')).json).toMatchObject({ code: 'INVALID_STATE' });
      expect(nogi.sandbox.getCalls('token')).toHaveLength(0);
    });

    it('answers a callback with neither code nor error with 400', async () => {
      const res = await followCallback(`${app.url}/v1/consent-flows/callback?state=abc`, 'application/json');
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(nogi.sandbox.getCalls()).toHaveLength(0);
    });
  });

  describe('ID token and identity checks', () => {
    it.each(['wrong_nonce', 'wrong_audience', 'alg_none', 'unknown_key'] as const)('refuses an ID token with %s and keeps no debt', async (fault) => {
      nogi.sandbox.idTokenFault = fault;
      const { flow, returnedTo } = await walkFlow(app, token, { body: { nationalId: PERSON_WITH_DEBT }, personAtNogi: PERSON_WITH_DEBT });
      expect(returnedTo.searchParams.get('status')).toBe('failed');
      expect((await getFlow(flow.id)).json).toMatchObject({ status: 'failed', error: 'token_exchange_failed' });
      expect(nogi.sandbox.getCalls('debt')).toHaveLength(0);
    });

    it('fails with identity_mismatch when another person consents at NoGi, revokes that consent and keeps no debt', async () => {
      const { flow, returnedTo } = await walkFlow(app, token, { body: { nationalId: PERSON_WITH_DEBT, durationDays: 30 }, personAtNogi: OTHER_PERSON_WITH_DEBT });
      expect(returnedTo.searchParams.get('status')).toBe('failed');
      expect((await getFlow(flow.id)).json).toMatchObject({ status: 'failed', error: 'identity_mismatch' });
      expect((await getDebt(flow.id)).status).toBe(409);
      await expectOneConsentRevokedAtNogi();
    });

    it('records the discarded consent revoking, with its revocation queued, before NoGi is asked; never binds it to a reader; delivers it once NoGi answers', async () => {
      // NoGi's revoke endpoint hangs on the first attempt, then is down until the fault is cleared.
      nogi.sandbox.injectFault({ endpoint: 'revoke', kind: 'timeout', times: 1 });
      nogi.sandbox.injectFault({ endpoint: 'revoke', kind: 'status', status: 503 });
      const someoneElse = freshNationalId();
      const started = (await startFlow(app, token, { nationalId: PERSON_WITH_DEBT, durationDays: 30 })).json as { id: string; authorizationUrl: string };
      const callback = followCallback(await consentAtNogi(app, started.authorizationUrl, { nationalId: someoneElse }));
      // While the first revocation is in flight at NoGi, the consent is already revoking and queued.
      await eventually(async () => nogi.sandbox.getCalls('revoke').length, (n) => n >= 1, 15_000);
      const atNogi = nogi.sandbox.listConsents(TEST_CLIENT.id).find((c) => c.nationalId === someoneElse)!;
      const row = (await consentRow(atNogi.id))!;
      expect(row).toMatchObject({ status: 'revoking', national_id_hash: null, source: 'flow' });
      expect(await pendingRevocations(row.id)).toBe(1);
      expect(new URL(String((await callback).headers.location)).searchParams.get('status')).toBe('failed');
      expect((await getFlow(started.id)).json).toMatchObject({ status: 'failed', error: 'identity_mismatch' });

      // Whoever reads it first gets nothing and is not made its customer.
      const reader = await app.issuer.service(['consent:read', 'debt:read', 'consent:admin']);
      const read = await api(app, 'GET', `/v1/consents/${row.id}/debt`, { token: reader });
      expect(read.status).toBe(410);
      expect(nogi.sandbox.getCalls('debtById')).toHaveLength(0);
      expect((await consentRow(atNogi.id))?.national_id_hash).toBeNull();

      nogi.sandbox.clearFaults();
      await eventually(() => consentRow(atNogi.id), (r) => r?.status === 'revoked', 20_000);
      expect(nogi.sandbox.listConsents(TEST_CLIENT.id).find((c) => c.id === atNogi.id)?.active).toBe(false);
      expect(await pendingRevocations(row.id)).toBe(0);
    }, 40_000);

    it('fails cleanly when NoGi answers a loan type its contract does not name: the browser returns, the consent is revoked, no debt is kept', async () => {
      nogi.sandbox.extraLoans = [{ creditorName: 'NY KREDITT AS', loan: { type: 'studentLoan', timestamp: '2026-11-01T00:00:00Z', coBorrower: 0, balance: 100 } }];
      const { flow, callback, returnedTo } = await walkFlow(app, token, { body: { nationalId: PERSON_WITH_DEBT, durationDays: 30 }, personAtNogi: PERSON_WITH_DEBT });
      expect(callback.status).toBe(303);
      expect(returnedTo.searchParams.get('status')).toBe('failed');
      expect((await getFlow(flow.id)).json).toMatchObject({ status: 'failed', error: 'nogi_unavailable' });
      expect((await getDebt(flow.id)).status).toBe(409);
      await expectOneConsentRevokedAtNogi();
    });

    it("fails with identity_mismatch when the ID token's pid is another person", async () => {
      nogi.sandbox.idTokenFault = 'other_pid';
      const { flow } = await walkFlow(app, token, { body: { nationalId: PERSON_WITH_DEBT, durationDays: 30 }, personAtNogi: PERSON_WITH_DEBT });
      expect((await getFlow(flow.id)).json).toMatchObject({ status: 'failed', error: 'identity_mismatch' });
      await expectOneConsentRevokedAtNogi();
    });

    it("fetches NoGi's signing keys through its NoGi client (proxy, breaker, metrics), and fails as nogi_unavailable when NoGi cannot serve them", async () => {
      // A fresh service: the first one holds the key set in its cache.
      const other = await startTestApp({ nogiUrl: nogi.url, issuer: app.issuer });
      try {
        nogi.sandbox.injectFault({ endpoint: 'jwks', kind: 'status', status: 503, times: 1 });
        const failed = await walkFlow(other, token, { body: { nationalId: PERSON_WITH_DEBT }, personAtNogi: PERSON_WITH_DEBT });
        expect(failed.returnedTo.searchParams.get('status')).toBe('failed');
        expect((await getFlowOf(other, failed.flow.id)).json).toMatchObject({ status: 'failed', error: 'nogi_unavailable' });
        expect(nogi.sandbox.getCalls('debt')).toHaveLength(0);

        const completed = await walkFlow(other, token, { body: { nationalId: PERSON_WITH_DEBT }, personAtNogi: PERSON_WITH_DEBT });
        expect(completed.returnedTo.searchParams.get('status')).toBe('completed');
        expect(nogi.sandbox.getCalls('jwks').map((c) => c.status)).toEqual([503, 200]);
        const metrics = await http('GET', `${other.url}/metrics`);
        expect(metrics.text).toMatch(/upstream_request_duration_seconds_count\{upstream="nogi",operation="jwks",outcome="503"\} 1/);
        expect(metrics.text).toMatch(/upstream_request_duration_seconds_count\{upstream="nogi",operation="jwks",outcome="200"\} 1/);
      } finally {
        await other.close();
      }
    });

    it('completes when NoGi issues no ID token at all (its FAQ says it may not), relying on the ssn check', async () => {
      const noIdToken = await startNogiSandbox({ port: 0, issueIdToken: false, clients: [{ clientId: TEST_CLIENT.id, clientSecret: TEST_CLIENT.secret, redirectUris: [REDIRECT_URI] }] });
      const other = await startTestApp({ nogiUrl: noIdToken.url, issuer: app.issuer });
      try {
        const { returnedTo } = await walkFlow(other, token, { body: { nationalId: PERSON_WITH_DEBT }, personAtNogi: PERSON_WITH_DEBT });
        expect(returnedTo.searchParams.get('status')).toBe('completed');
      } finally {
        await other.close();
        await noIdToken.close();
      }
    });
  });

  describe('a slow or failing NoGi', () => {
    it.each([
      ['token endpoint answers 500', 'token', { kind: 'status', status: 500 }, 'nogi_unavailable'],
      ['token endpoint times out', 'token', { kind: 'timeout' }, 'nogi_unavailable'],
      ['debt API answers 500', 'debt', { kind: 'status', status: 500 }, 'nogi_unavailable'],
      ['debt API times out', 'debt', { kind: 'timeout' }, 'nogi_unavailable'],
    ] as const)('when the %s, the flow fails clearly, the browser returns within the timeout and the service stays healthy', async (_what, endpoint, fault, error) => {
      nogi.sandbox.injectFault({ endpoint, ...fault, times: 1 } as never);
      const t0 = Date.now();
      const { flow, returnedTo } = await walkFlow(app, token, { body: { nationalId: PERSON_WITH_DEBT }, personAtNogi: PERSON_WITH_DEBT });
      expect(Date.now() - t0).toBeLessThan(8000);
      expect(returnedTo.searchParams.get('status')).toBe('failed');
      expect((await getFlow(flow.id)).json).toMatchObject({ status: 'failed', error });
      expect(nogi.sandbox.getCalls('token').length).toBeLessThanOrEqual(1);
      expect((await http('GET', `${app.url}/health/ready`)).status).toBe(200);
    });
  });

  describe('starting a flow', () => {
    it('refuses a returnUrl outside the allowlist, naming the field', async () => {
      for (const returnUrl of ['https://evil.example/done', 'https://nettbank.test.evil.example/', 'http://nettbank.test/done', 'https://user@nettbank.test/']) {
        const res = await startFlow(app, token, { nationalId: PERSON_WITH_DEBT, returnUrl });
        expect(res.status).toBe(400);
        expect(res.json).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'returnUrl' }] });
      }
    });

    it('validates the body field by field without echoing the national id', async () => {
      const res = await startFlow(app, token, { nationalId: '14842249092', purpose: 'marketing', durationDays: 0, extra: true });
      expect(res.status).toBe(400);
      const fields = (res.json as { errors: Array<{ field: string }> }).errors.map((e) => e.field).sort();
      expect(fields).toEqual(['durationDays', 'extra', 'nationalId', 'purpose']);
      expect(res.text).not.toContain('14842249092');
    });

    it('lets a customer start a flow for themselves only', async () => {
      const nid = freshNationalId();
      const customer = await app.issuer.customer(nid, FLOW_SCOPES);
      expect((await startFlow(app, customer, {})).status).toBe(201);
      expect((await startFlow(app, customer, { nationalId: nid })).status).toBe(201);
      const other = await startFlow(app, customer, { nationalId: PERSON_WITH_DEBT });
      expect(other.status).toBe(403);
      expect(other.json).toMatchObject({ code: 'FORBIDDEN' });
    });

    it('requires a national id from a service token', async () => {
      const res = await startFlow(app, token, {});
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ errors: [{ field: 'nationalId' }] });
    });
  });

  describe('reading flows', () => {
    it('shows a flow only to the client that started it or the customer it is for', async () => {
      const started = (await startFlow(app, token, { nationalId: PERSON_WITH_DEBT })).json as { id: string };
      expect((await getFlow(started.id)).json).toMatchObject({ status: 'pending' });
      const otherService = await app.issuer.service(FLOW_SCOPES, { clientId: 'another-service' });
      expect((await getFlow(started.id, otherService)).status).toBe(404);
      expect((await getFlow(started.id, await app.issuer.customer(PERSON_WITH_DEBT, FLOW_SCOPES))).status).toBe(200);
      expect((await getFlow(started.id, await app.issuer.customer(OTHER_PERSON_WITH_DEBT, FLOW_SCOPES))).status).toBe(404);
    });

    it('answers 400 for a malformed id and 404 for an unknown one', async () => {
      expect((await getFlow('not-a-uuid')).json).toMatchObject({ status: 400, errors: [{ field: 'id' }] });
      expect((await getFlow('3f2b7f0e-2c11-4a2b-9a7e-8d6c1c1e4f57')).json).toMatchObject({ status: 404, code: 'FLOW_NOT_FOUND' });
    });

    it('shows a flow whose callback never came as expired', async () => {
      const short = await startTestApp({ nogiUrl: nogi.url, issuer: app.issuer, env: { FLOW_TTL_SECONDS: '60' } });
      try {
        const started = (await startFlow(short, token, { nationalId: PERSON_WITH_DEBT })).json as { id: string; expiresAt: string };
        expect(Date.parse(started.expiresAt) - Date.now()).toBeLessThanOrEqual(60_000);
        const realNow = Date.now;
        Date.now = () => realNow() + 61_000;
        try {
          const read = await http('GET', `${short.url}/v1/consent-flows/${started.id}`, { headers: bearer() });
          expect(read.json).toMatchObject({ status: 'expired' });
          expect((await http('GET', `${short.url}/v1/consent-flows/${started.id}/debt`, { headers: bearer() })).status).toBe(410);
        } finally {
          Date.now = realNow;
        }
      } finally {
        await short.close();
      }
    });
  });
});
