import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { request } from 'undici';
import { AppError } from '../../../src/common/problem';
import { MetricsService } from '../../../src/metrics/metrics.service';
import { ALTINN2_SANDBOX_API_KEY } from '../../../src/providers/altinn/altinn2/altinn2.config';
import { AltinnHttpClient } from '../../../src/providers/altinn/altinn-http.client';
import { Altinn2TokenClient, Altinn2TokenRefusedError } from '../../../src/providers/altinn/altinn2/altinn2-token.client';
import { Altinn2TokenInvalidError, Altinn2TokenVerifier, type Altinn2Expectation } from '../../../src/providers/altinn/altinn2/altinn2-token.verifier';
import { Altinn2Sandbox, altinn2SandboxPlugin, ALTINN2_SANDBOX_ORG_NUMBER, startAltinn2Sandbox, type StartedAltinn2Sandbox } from '../../../src/providers/altinn/sandbox/altinn2';
import { freshNationalId } from '../../support/national-ids';
import { answerConsentPage, control, RESOURCES } from './altinn2-walk';

describe('Altinn 2 token exchange and verification against the simulator', () => {
  let altinn: StartedAltinn2Sandbox;
  let metrics: MetricsService;
  let http: AltinnHttpClient;
  let tokens: Altinn2TokenClient;

  beforeAll(async () => {
    altinn = await startAltinn2Sandbox();
    metrics = new MetricsService();
    http = new AltinnHttpClient(metrics, { timeoutMs: 1500 });
    tokens = new Altinn2TokenClient(http, { url: altinn.url, apiKey: ALTINN2_SANDBOX_API_KEY });
  });
  afterAll(async () => {
    await http.close();
    await altinn.close();
  });
  beforeEach(() => control(altinn.url, 'reset'));

  /** A fresh verifier (empty key cache) on the simulator's clock. */
  const verifier = () => new Altinn2TokenVerifier(http, { url: altinn.url, orgNumber: ALTINN2_SANDBOX_ORG_NUMBER }, { now: () => altinn.sandbox.now() });
  const jwksCalls = () => altinn.sandbox.getCalls('jwks').length;
  const taxYear = (nationalId: string, year = 2024): Altinn2Expectation => ({ nationalId, service: RESOURCES['tax-assessment'], metadata: { inntektsaar: String(year) } });
  const refusal = async (promise: Promise<unknown>) => {
    const error = await promise.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(Altinn2TokenInvalidError);
    return (error as Altinn2TokenInvalidError).reason;
  };
  const approvedTaxAssessment = async (nationalId: string, year = 2024) => {
    const answer = await answerConsentPage(altinn.url, { dataset: 'tax-assessment', params: { incomeYear: year }, nationalId, decision: 'approve' });
    return answer.authorizationCode!;
  };

  it('walks the happy path: consent page, code, token, verified claims', async () => {
    const customer = freshNationalId();
    const validTo = new Date(Math.floor(Date.now() / 1000 + 14 * 86_400) * 1000);
    const answer = await answerConsentPage(altinn.url, { dataset: 'tax-assessment', params: { incomeYear: 2024 }, nationalId: customer, decision: 'approve', state: 'one-time-state', validTo });
    expect(answer.location.searchParams.get('state')).toBe('one-time-state');
    expect(answer.location.searchParams.get('Status')).toBe('OK');
    expect(answer.authorizationCode).toMatch(/^[0-9a-f-]{36}$/);

    const jwt = await tokens.token(answer.authorizationCode!);
    const consent = await verifier().verify(jwt, { ...taxYear(customer), authorizationCode: answer.authorizationCode });
    expect(consent).toEqual({
      offeredBy: customer,
      coveredBy: ALTINN2_SANDBOX_ORG_NUMBER,
      services: [
        { code: '4628', edition: '210607', metadata: {} },
        { code: '4628', edition: '210607', metadata: { inntektsaar: '2024' } },
      ],
      validTo,
      authorizationCode: answer.authorizationCode,
    });
    // The token lives 30 s (exp = nbf + 30).
    const claims = JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()) as { exp: number; nbf: number };
    expect(claims.exp - claims.nbf).toBe(30);
  });

  it('reads income with the old claim form (x5t only, ServiceCodes, local-time dates) and a raw JWT body', async () => {
    await control(altinn.url, 'options', { claimForm: 'old', tokenBody: 'raw' });
    const customer = freshNationalId();
    const answer = await answerConsentPage(altinn.url, { dataset: 'income', params: { fromMonth: '2024-01', toMonth: '2024-06' }, nationalId: customer, decision: 'approve' });
    const raw = await request(`${altinn.url}/api/authorization/token?authcode=${answer.authorizationCode}`, { headers: { apikey: ALTINN2_SANDBOX_API_KEY } });
    expect(raw.headers['content-type']).toMatch(/text\/plain/);
    expect(await raw.body.text()).toMatch(/^eyJ/);

    const jwt = await tokens.token(answer.authorizationCode!);
    const header = JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString()) as Record<string, unknown>;
    expect(header.kid).toBeUndefined();
    const consent = await verifier().verify(jwt, { nationalId: customer, service: RESOURCES.income, metadata: { fraOgMed: '2024-01', tilOgMed: '2024-06' } });
    expect(consent.services).toContainEqual({ code: '4804', edition: '210607', metadata: { fraOgMed: '2024-01', tilOgMed: '2024-06' } });
  });

  it('answers the JWT as a JSON string by default, which the client unwraps', async () => {
    const code = await approvedTaxAssessment(freshNationalId());
    const raw = await request(`${altinn.url}/api/authorization/token?authcode=${code}`, { headers: { apikey: ALTINN2_SANDBOX_API_KEY, accept: 'application/json' } });
    const body = await raw.body.text();
    expect(body.startsWith('"eyJ')).toBe(true);
    const codeIn = (jwt: string) => (JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()) as { AuthorizationCode: string }).AuthorizationCode;
    expect(codeIn(JSON.parse(body) as string)).toBe(code);
    expect(codeIn(await tokens.token(code))).toBe(code);
  });

  it('sends the customer back with Status=Failed when they deny, without a code', async () => {
    const answer = await answerConsentPage(altinn.url, { dataset: 'tax-assessment', params: { incomeYear: 2024 }, nationalId: freshNationalId(), decision: 'deny', state: 's-deny' });
    expect(answer.location.search).toBe('?state=s-deny&Status=Failed&ErrorMessage=User+did+not+give+consent');
    expect(answer.authorizationCode).toBeUndefined();
  });

  it('refuses a link Altinn would refuse: unregistered consumer, past ValidToDate, unknown metadata', async () => {
    const link = (q: string) => request(`${altinn.url}/ui/AccessConsent/?${q}`).then(async (r) => ({ status: r.statusCode, body: await r.body.text() }));
    const good = 'Resources=4628;210607&CoveredBy=910514458&RedirectUrl=http%3A%2F%2F127.0.0.1%2Fcb&ValidToDate=2099-01-01%2010:00:00&DelegationContext=x&ResponseType=code';
    expect((await link(good)).status).toBe(200);
    expect((await link(good.replace('910514458', '974760673'))).status).toBe(400);
    expect((await link(good.replace('2099-01-01', '2020-01-01'))).status).toBe(400);
    expect((await link(`${good}&Metadata=4628_210607_fraOgMed;2024-01`)).status).toBe(400);
    expect((await link(good.replace('ResponseType=code', 'ResponseType=token'))).status).toBe(400);
    const page = await link(good.replace('DelegationContext=x', 'DelegationContext=%3Cscript%3Ealert(1)%3C%2Fscript%3E'));
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.body).not.toContain('<script>');
  });

  it('maps a wrong ApiKey and an unknown code to a typed refusal (token_exchange_failed)', async () => {
    const code = await approvedTaxAssessment(freshNationalId());
    const wrongKey = new Altinn2TokenClient(http, { url: altinn.url, apiKey: 'not-our-key' });
    const error = await wrongKey.token(code).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Altinn2TokenRefusedError);
    expect((error as Altinn2TokenRefusedError).flowError).toBe('token_exchange_failed');
    await expect(tokens.token('00000000-0000-0000-0000-000000000000')).rejects.toBeInstanceOf(Altinn2TokenRefusedError);
    expect(altinn.sandbox.getCalls('token').map((c) => c.apiKey)).toEqual(['unknown', 'registered']);
  });

  it('maps Altinn failing to ALTINN_UNAVAILABLE and a hang to ALTINN_TIMEOUT', async () => {
    const code = await approvedTaxAssessment(freshNationalId());
    await control(altinn.url, 'faults', { endpoint: 'token', kind: 'status', status: 503 });
    await expect(tokens.token(code)).rejects.toMatchObject({ code: 'ALTINN_UNAVAILABLE' });
    await request(`${altinn.url}/_sandbox/faults`, { method: 'DELETE' }).then((r) => r.body.dump());
    await control(altinn.url, 'faults', { endpoint: 'token', kind: 'timeout', times: 1 });
    await expect(tokens.token(code)).rejects.toMatchObject({ code: 'ALTINN_TIMEOUT' });
    await control(altinn.url, 'faults', { endpoint: 'jwks', kind: 'status', status: 500 });
    const error = await verifier().verify(await tokens.token(code), taxYear('x')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('ALTINN_UNAVAILABLE');
  });

  it('refuses a token signed by an unknown key after exactly one refetch of the key set', async () => {
    const customer = freshNationalId();
    const code = await approvedTaxAssessment(customer);
    const v = verifier();
    await v.verify(await tokens.token(code), taxYear(customer));
    expect(jwksCalls()).toBe(1);
    await control(altinn.url, 'token-tamper', { signer: 'unknown', times: 2 });
    expect(await refusal(v.verify(await tokens.token(code), taxYear(customer)))).toBe('unknown_key');
    expect(jwksCalls()).toBe(2);
    // A second forged key inside the cooldown does not make us fetch again.
    expect(await refusal(v.verify(await tokens.token(code), taxYear(customer)))).toBe('unknown_key');
    expect(jwksCalls()).toBe(2);
  });

  it('refuses an unsigned token, another algorithm and a payload changed after signing', async () => {
    const customer = freshNationalId();
    const jwt = await tokens.token(await approvedTaxAssessment(customer));
    const [header, payload, signature] = jwt.split('.');
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const v = verifier();
    expect(await refusal(v.verify(`${b64({ alg: 'none' })}.${payload}.`, taxYear(customer)))).toBe('algorithm_not_allowed');
    const kid = (JSON.parse(Buffer.from(header, 'base64url').toString()) as { kid: string }).kid;
    expect(await refusal(v.verify(`${b64({ alg: 'HS256', kid })}.${payload}.${signature}`, taxYear(customer)))).toBe('algorithm_not_allowed');
    const someoneElse = freshNationalId();
    expect(await refusal(v.verify(`${header}.${b64({ ...claims, OfferedBy: someoneElse })}.${signature}`, taxYear(someoneElse)))).toBe('bad_signature');
    expect(await refusal(v.verify('not a jwt', taxYear(customer)))).toBe('malformed_token');
  });

  it('refuses an expired token, and the same code fetches a fresh one 30 s later', async () => {
    const customer = freshNationalId();
    const code = await approvedTaxAssessment(customer);
    const v = verifier();
    const first = await tokens.token(code);
    await v.verify(first, taxYear(customer));
    // 30 s of life and our 5 s clock tolerance.
    await control(altinn.url, 'clock/advance', { seconds: 36 });
    expect(await refusal(v.verify(first, taxYear(customer)))).toBe('token_expired');
    const second = await tokens.token(code);
    expect(second).not.toBe(first);
    const nbf = (jwt: string) => (JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()) as { nbf: number }).nbf;
    expect(nbf(second) - nbf(first)).toBeGreaterThanOrEqual(36);
    await expect(v.verify(second, taxYear(customer))).resolves.toMatchObject({ offeredBy: customer });
  });

  it('refuses a token for another person, another organisation, or without the requested service or year', async () => {
    const customer = freshNationalId();
    const someoneElse = freshNationalId();
    const v = verifier();
    // Someone else logged in at Altinn and approved.
    const othersCode = await approvedTaxAssessment(someoneElse);
    expect(await refusal(v.verify(await tokens.token(othersCode), taxYear(customer)))).toBe('wrong_person');

    const code = await approvedTaxAssessment(customer, 2023);
    expect(await refusal(v.verify(await tokens.token(code), taxYear(customer, 2024)))).toBe('metadata_mismatch');
    expect(await refusal(v.verify(await tokens.token(code), { nationalId: customer, service: RESOURCES.income, metadata: {} }))).toBe('service_missing');

    await control(altinn.url, 'token-tamper', { claims: { CoveredBy: '974760673' }, times: 1 });
    expect(await refusal(v.verify(await tokens.token(code), taxYear(customer, 2023)))).toBe('wrong_organisation');
    await control(altinn.url, 'token-tamper', { claims: { iss: 'evil.example' }, times: 1 });
    expect(await refusal(v.verify(await tokens.token(code), taxYear(customer, 2023)))).toBe('wrong_issuer');
  });

  it('refuses a token whose ValidToDate has passed, in either date form, and Altinn stops issuing after it', async () => {
    const customer = freshNationalId();
    const code = await approvedTaxAssessment(customer);
    const v = verifier();
    const past = Math.floor(altinn.sandbox.now() / 1000) - 60;
    await control(altinn.url, 'token-tamper', { claims: { ValidToDate: past }, times: 1 });
    expect(await refusal(v.verify(await tokens.token(code), taxYear(customer)))).toBe('consent_expired');
    await control(altinn.url, 'token-tamper', { claims: { ValidToDate: '01.01.2020 10:00:00' }, times: 1 });
    expect(await refusal(v.verify(await tokens.token(code), taxYear(customer)))).toBe('consent_expired');

    const shortCode = (await control(altinn.url, 'consents', { offeredBy: customer, services: ['4628;210607'], metadata: { '4628;210607': { inntektsaar: '2024' } }, validToSeconds: 60 })) as { authorizationCode: string };
    await v.verify(await tokens.token(shortCode.authorizationCode), taxYear(customer));
    await control(altinn.url, 'clock/advance', { seconds: 61 });
    await expect(tokens.token(shortCode.authorizationCode)).rejects.toBeInstanceOf(Altinn2TokenRefusedError);
  });

  it('follows a key rotation: the former secondary needs no fetch, a new key one refetch', async () => {
    const customer = freshNationalId();
    const code = await approvedTaxAssessment(customer);
    const v = verifier();
    await v.verify(await tokens.token(code), taxYear(customer));
    const before = (await control(altinn.url, 'keys')) as { primary: string; secondary: string };
    const once = (await control(altinn.url, 'keys/rotate')) as { primary: string; secondary: string };
    expect(once.primary).toBe(before.secondary);
    await v.verify(await tokens.token(code), taxYear(customer));
    expect(jwksCalls()).toBe(1);
    await control(altinn.url, 'keys/rotate');
    const signedByNewKey = await tokens.token(code);
    await expect(v.verify(signedByNewKey, taxYear(customer))).resolves.toMatchObject({ offeredBy: customer });
    expect(jwksCalls()).toBe(2);
  });

  it('caches the key set per its max-age and fetches it again once that has passed', async () => {
    await control(altinn.url, 'options', { jwksMaxAgeSeconds: 120 });
    const customer = freshNationalId();
    const code = await approvedTaxAssessment(customer);
    const v = verifier();
    for (let i = 0; i < 3; i++) await v.verify(await tokens.token(code), taxYear(customer));
    expect(jwksCalls()).toBe(1);
    const jwks = await request(`${altinn.url}/api/metadata/jwk`);
    expect(jwks.headers['cache-control']).toBe('public, max-age=120');
    const keys = ((await jwks.body.json()) as { keys: Array<Record<string, unknown>> }).keys;
    expect(keys).toHaveLength(2);
    for (const key of keys) expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', kid: key.x5t, x5c: [expect.any(String)] });
    await control(altinn.url, 'clock/advance', { seconds: 121 });
    await v.verify(await tokens.token(code), taxYear(customer));
    expect(jwksCalls()).toBe(3); // ours (1), the direct look above (2), the refetch after max-age (3)
  });

  it('lets the Skatteetaten simulator check an AltinnSamtykke header against its own keys', async () => {
    const customer = freshNationalId();
    const code = await approvedTaxAssessment(customer);
    const jwt = await tokens.token(code);
    expect(altinn.sandbox.verifyConsentToken(jwt)).toMatchObject({ offeredBy: customer, services: expect.arrayContaining([{ code: '4628', edition: '210607', metadata: { inntektsaar: '2024' } }]) });
    const [h, p, s] = jwt.split('.');
    expect(altinn.sandbox.verifyConsentToken(`${h}.${p}.${s.slice(0, -4)}AAAA`)).toBeUndefined();
    await control(altinn.url, 'clock/advance', { seconds: 36 });
    expect(altinn.sandbox.verifyConsentToken(jwt)).toBeUndefined();
  });

  it('never puts the code, the ApiKey or a token in the call log or in metric labels', async () => {
    const code = await approvedTaxAssessment(freshNationalId());
    const jwt = await tokens.token(code);
    const logged = JSON.stringify(altinn.sandbox.getCalls());
    const metricText = await metrics.registry.metrics();
    for (const secret of [code, ALTINN2_SANDBOX_API_KEY, jwt.split('.')[2]]) {
      expect(logged).not.toContain(secret);
      expect(metricText).not.toContain(secret);
    }
    expect(metricText).toContain('operation="altinn2.token.exchange"');
  });
});

describe('the Altinn 2 simulator mounted under a prefix (as sandbox mode does)', () => {
  let app: FastifyInstance;
  let base: string;
  let sandbox: Altinn2Sandbox;

  beforeAll(async () => {
    sandbox = await Altinn2Sandbox.create({ apiKeys: { 'prefixed-key': ALTINN2_SANDBOX_ORG_NUMBER } });
    app = Fastify({ logger: false, forceCloseConnections: true });
    await app.register(altinn2SandboxPlugin, { prefix: '/sandbox/altinn2', sandbox });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/sandbox/altinn2`;
  });
  afterAll(() => app.close());

  it('posts the consent form back under the prefix and issues tokens for the registered key', async () => {
    const customer = freshNationalId();
    const answer = await answerConsentPage(base, { dataset: 'income', params: { fromMonth: '2025-01', toMonth: '2025-03' }, nationalId: customer, decision: 'approve' });
    const response = await request(`${base}/api/authorization/token/${answer.authorizationCode}`, { headers: { apikey: 'prefixed-key' } });
    const jwt = JSON.parse(await response.body.text()) as string;
    expect(sandbox.verifyConsentToken(jwt)).toMatchObject({ offeredBy: customer });
  });

  it('answers an injected fault on the consent page with an HTML error, once', async () => {
    await control(base, 'faults', { endpoint: 'accessConsent', kind: 'status', status: 503, times: 1 });
    const q = 'Resources=4628;210607&CoveredBy=910514458&RedirectUrl=http%3A%2F%2F127.0.0.1%2Fcb&ValidToDate=2099-01-01%2010:00:00&DelegationContext=x&ResponseType=code';
    const first = await request(`${base}/ui/AccessConsent/?${q}`);
    expect(first.statusCode).toBe(503);
    expect(first.headers['content-type']).toMatch(/text\/html/);
    await first.body.dump();
    const second = await request(`${base}/ui/AccessConsent/?${q}`);
    expect(second.statusCode).toBe(200);
    await second.body.dump();
    expect(sandbox.getCalls('accessConsent').slice(-2).map((c) => c.status)).toEqual([503, 200]);
  });
});
