import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { NationalIdHasher } from '../../src/common/crypto/data-cipher';
import { FlowStore } from '../../src/consent-flow/flow.store';
import { generateSandboxClientKey } from '../../src/providers/altinn/sandbox/maskinporten/sandbox-client-keys';
import { ConsentRepository } from '../../src/consents/consent.repository';
import { type StartedNogiSandbox } from '../../src/providers/nogi/sandbox';
import { freshNationalId, PERSON_WITH_DEBT } from '../support/national-ids';
import { TEST_RETURN_ORIGIN, type TestApp } from '../support/test-app';
import { api, isolatedDatabase, startReadyApp, startSandbox } from './consents.helpers';

/** OPENBANKING_* are required when PROVIDERS enables openbanking; these tests never reach the partner bank. */
const UNUSED_PARTNER_BANK = {
  OPENBANKING_API_URL: 'http://127.0.0.1:9',
  OPENBANKING_TOKEN_URL: 'http://127.0.0.1:9/oauth/token',
  OPENBANKING_AUDIENCE: 'https://openbanking.test',
  OPENBANKING_CLIENT_ID: 'test',
  OPENBANKING_CLIENT_SECRET: 'test',
};

/** Datasets and providers in the API: every dataset is built; one whose provider is not enabled is refused, and each route answers by dataset. */
describe('datasets and providers', () => {
  let nogi: StartedNogiSandbox;
  let database: { url: string; drop(): Promise<void> };
  let app: TestApp;
  let withAltinn: TestApp;
  let admin: string;
  let adminAltinn: string;

  beforeAll(async () => {
    nogi = await startSandbox();
    database = await isolatedDatabase();
    app = await startReadyApp({ nogiUrl: nogi.url, env: { DATABASE_URL: database.url } });
    // Altinn configured, but nothing answers there.
    const key = generateSandboxClientKey();
    const nowhere = 'http://127.0.0.1:9';
    withAltinn = await startReadyApp({
      nogiUrl: nogi.url,
      env: {
        DATABASE_URL: database.url,
        PROVIDERS: 'nogi,altinn,openbanking',
        ALTINN_PLATFORM_URL: nowhere,
        ALTINN_ORG_NUMBER: '974760673',
        ALTINN_REDIRECT_URI: 'http://127.0.0.1:3000/v1/consent-flows/callback/altinn',
        ALTINN_EVENTS_POLL_INTERVAL_SECONDS: '0',
        MASKINPORTEN_ISSUER: `${nowhere}/`,
        MASKINPORTEN_CLIENT_ID: 'bank-client',
        MASKINPORTEN_PRIVATE_KEY: key.privateKeyPem,
        MASKINPORTEN_KID: key.kid,
        SKATTEETATEN_TAX_ASSESSMENT_URL: nowhere,
        SKATTEETATEN_INCOME_URL: nowhere,
        ...UNUSED_PARTNER_BANK,
      },
    });
    admin = await app.issuer.service(['consent:write', 'consent:read', 'debt:read', 'income:read', 'consent:admin']);
    adminAltinn = await withAltinn.issuer.service(['consent:write', 'consent:read', 'debt:read', 'income:read', 'consent:admin']);
  });
  afterAll(async () => {
    await app?.close();
    await withAltinn?.close();
    await nogi?.close();
    await database?.drop();
  });

  const flowBody = (extra: Record<string, unknown> = {}) => ({ nationalId: PERSON_WITH_DEBT, purpose: 'presentation', durationDays: 30, returnUrl: `${TEST_RETURN_ORIGIN}/back`, ...extra });
  const fields = (json: { errors?: Array<{ field: string; message: string }> }) => (json.errors ?? []).map((e) => e.field);

  /** A consent row as a later provider would record it (no provider creates these yet). */
  async function insertConsent(target: TestApp, values: { dataset: 'income' | 'tax-assessment' | 'accounts'; provider: 'altinn' | 'openbanking'; nationalId: string }) {
    const hash = target.app.get(NationalIdHasher).hash(values.nationalId);
    return target.app.get(ConsentRepository).insert({
      provider: values.provider,
      dataset: values.dataset,
      providerConsentId: randomUUID(),
      clientConsentId: null,
      purpose: 'processing',
      scope: values.dataset === 'income' ? 'ske-samtykke-sbl-inntekt' : values.dataset,
      parameters: values.dataset === 'income' ? { fromMonth: '2026-01', toMonth: '2026-06' } : null,
      durationDays: 30,
      source: 'flow',
      status: 'active',
      nationalIdHash: hash,
      createdBy: 'test-service',
      expiresAt: new Date(Date.now() + 30 * 86_400_000),
    });
  }

  it('starts a flow without dataset as a debt flow at NoGi, and says so in the answer and the flow', async () => {
    const started = await api(app, 'POST', '/v1/consent-flows', { token: admin, body: flowBody() });
    expect(started.status).toBe(201);
    expect(started.json).toMatchObject({ dataset: 'debt', provider: 'nogi' });
    const explicit = await api(app, 'POST', '/v1/consent-flows', { token: admin, body: flowBody({ dataset: 'debt' }) });
    expect(explicit.json).toMatchObject({ dataset: 'debt', provider: 'nogi' });
    const flow = await api(app, 'GET', `/v1/consent-flows/${started.json.id}`, { token: admin });
    expect(flow.json).toMatchObject({ id: started.json.id, dataset: 'debt', provider: 'nogi', status: 'pending' });
  });

  it('refuses a flow for accounts, for an unknown dataset, and for a dataset whose provider is not enabled, naming dataset', async () => {
    for (const dataset of ['accounts', 'pension', null, 'income', 'tax-assessment']) {
      const answer = await api(app, 'POST', '/v1/consent-flows', { token: admin, body: flowBody({ dataset, purpose: 'processing' }) });
      expect([dataset, answer.status, answer.json.code, fields(answer.json)]).toEqual([dataset, 400, 'VALIDATION_FAILED', ['dataset']]);
    }
    const notEnabled = await api(app, 'POST', '/v1/consent-flows', { token: admin, body: flowBody({ dataset: 'income', purpose: 'processing' }) });
    expect(notEnabled.json.errors[0].message).toMatch(/altinn, which is not enabled/);
  });

  it('sends income and tax-assessment flows to Altinn when it is enabled (unreachable here: 503), and refuses accounts flows', async () => {
    for (const dataset of ['income', 'tax-assessment']) {
      const answer = await api(withAltinn, 'POST', '/v1/consent-flows', { token: adminAltinn, body: flowBody({ dataset, purpose: 'processing', durationDays: 30, fromMonth: dataset === 'income' ? '2026-01' : undefined, toMonth: dataset === 'income' ? '2026-06' : undefined }) });
      expect([dataset, answer.status, answer.json.code]).toEqual([dataset, 503, 'MASKINPORTEN_UNAVAILABLE']);
    }
    // accounts is built: a service token is refused for the customer's presence, not for the dataset.
    const accounts = await api(withAltinn, 'POST', '/v1/consents', { token: adminAltinn, body: { dataset: 'accounts', nationalId: PERSON_WITH_DEBT, purpose: 'processing', durationDays: 30 } });
    expect([accounts.status, accounts.json.code]).toEqual([403, 'CUSTOMER_PRESENCE_REQUIRED']);
    const notEnabled = await api(app, 'POST', '/v1/consents', { token: admin, body: { dataset: 'accounts', nationalId: PERSON_WITH_DEBT, durationDays: 30 } });
    expect([notEnabled.status, fields(notEnabled.json)]).toEqual([400, ['dataset']]);
  });

  it('registers a debt consent without dataset as before, and refuses tax-assessment and income registrations', async () => {
    const created = await api(app, 'POST', '/v1/consents', { token: admin, body: { nationalId: freshNationalId(), purpose: 'presentation', durationDays: 30 } });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ dataset: 'debt', provider: 'nogi', source: 'agreement' });
    expect(created.json).not.toHaveProperty('parameters');
    for (const [target, token] of [[app, admin], [withAltinn, adminAltinn]] as const) {
      for (const dataset of ['tax-assessment', 'income']) {
        const refused = await api(target, 'POST', '/v1/consents', { token, body: { dataset, nationalId: PERSON_WITH_DEBT, purpose: 'processing', durationDays: 30 } });
        expect([dataset, refused.status, fields(refused.json)]).toEqual([dataset, 400, ['dataset']]);
      }
    }
  });

  it('lists consents by dataset and provider, and shows a consent with its dataset, provider and parameters', async () => {
    const person = freshNationalId();
    const debt = await api(app, 'POST', '/v1/consents', { token: admin, body: { nationalId: person, purpose: 'processing', durationDays: 10 } });
    const income = await insertConsent(app, { dataset: 'income', provider: 'altinn', nationalId: person });
    const accounts = await insertConsent(app, { dataset: 'accounts', provider: 'openbanking', nationalId: person });
    const list = async (query: string) => {
      const answer = await api(app, 'GET', `/v1/consents${query}`, { token: admin, headers: { 'x-national-id': person } });
      expect(answer.status).toBe(200);
      return answer.json.items.map((c: { id: string }) => c.id).sort();
    };
    expect(await list('')).toEqual([debt.json.id, income.id, accounts.id].sort());
    expect(await list('?dataset=income')).toEqual([income.id]);
    expect(await list('?dataset=debt')).toEqual([debt.json.id]);
    expect(await list('?provider=openbanking')).toEqual([accounts.id]);
    // openbanking not enabled here: its data routes refuse the dataset before looking anything up.
    const notEnabled = await api(app, 'GET', `/v1/consents/${accounts.id}/accounts`, { token: await app.issuer.service(['accounts:read']) });
    expect([notEnabled.status, fields(notEnabled.json)]).toEqual([400, ['dataset']]);
    expect(await list('?provider=altinn&dataset=tax-assessment')).toEqual([]);
    const bad = await api(app, 'GET', '/v1/consents?dataset=pension&provider=bankid', { token: admin, headers: { 'x-national-id': person } });
    expect([bad.status, fields(bad.json).sort()]).toEqual([400, ['dataset', 'provider']]);

    const one = await api(app, 'GET', `/v1/consents/${income.id}`, { token: admin });
    expect(one.json).toMatchObject({ id: income.id, dataset: 'income', provider: 'altinn', purpose: 'processing', parameters: { fromMonth: '2026-01', toMonth: '2026-06' } });
    // No status endpoint for Altinn yet: refresh leaves it alone instead of asking NoGi.
    const calls = nogi.sandbox.getCalls().length;
    const refreshed = await api(app, 'GET', `/v1/consents/${income.id}?refresh=true`, { token: admin });
    expect([refreshed.status, refreshed.json.status, nogi.sandbox.getCalls().length]).toEqual([200, 'active', calls]);
  });

  it('answers 409 DATASET_MISMATCH on the debt route of an income consent or flow, without calling NoGi', async () => {
    const income = await insertConsent(app, { dataset: 'income', provider: 'altinn', nationalId: freshNationalId() });
    const calls = nogi.sandbox.getCalls().length;
    const byConsent = await api(app, 'GET', `/v1/consents/${income.id}/debt`, { token: admin });
    expect([byConsent.status, byConsent.json.code]).toEqual([409, 'DATASET_MISMATCH']);

    const flowId = randomUUID();
    const now = new Date();
    await app.app.get(FlowStore).create(
      {
        id: flowId,
        dataset: 'income',
        provider: 'altinn',
        status: 'pending',
        purpose: 'processing',
        durationDays: 30,
        requestedScope: 'ske-samtykke-sbl-inntekt',
        baseScope: 'ske-samtykke-sbl-inntekt',
        createdAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + 600_000).toISOString(),
        returnUrl: `${TEST_RETURN_ORIGIN}/back`,
        nationalIdHash: app.app.get(NationalIdHasher).hash(PERSON_WITH_DEBT),
        ownerClientId: 'test-service',
      },
      `state-${randomUUID()}`,
      { flowId, nonce: 'n', codeVerifier: 'v' },
    );
    const byFlow = await api(app, 'GET', `/v1/consent-flows/${flowId}/debt`, { token: admin });
    expect([byFlow.status, byFlow.json.code]).toEqual([409, 'DATASET_MISMATCH']);
    expect((await api(app, 'GET', `/v1/consent-flows/${flowId}`, { token: admin })).json).toMatchObject({ dataset: 'income', provider: 'altinn' });
    expect(nogi.sandbox.getCalls().length).toBe(calls);
    // Each refusal is one audit row naming the dataset that was asked for.
    const audit = await app.app.get(DataSource).query(`SELECT action, outcome, dataset FROM audit_event WHERE consent_id = $1 OR flow_id = $2 ORDER BY id`, [income.id, flowId]);
    expect(audit).toEqual([
      { action: 'consent.debt_read', outcome: 'dataset_mismatch', dataset: 'debt' },
      { action: 'flow.debt_read', outcome: 'dataset_mismatch', dataset: 'debt' },
    ]);
  });

  it('needs debt:read on the debt routes: a token with income:read only gets 403', async () => {
    const incomeOnly = await app.issuer.service(['consent:read', 'income:read', 'accounts:read']);
    const id = randomUUID();
    for (const path of [`/v1/consents/${id}/debt`, `/v1/consent-flows/${id}/debt`]) {
      const answer = await api(app, 'GET', path, { token: incomeOnly });
      expect([path, answer.status, answer.json.code]).toEqual([path, 403, 'INSUFFICIENT_SCOPE']);
    }
  });

  it("revokes by the consent's provider: one without upstream revocation is recorded revoked at once (204), and NoGi is never called", async () => {
    const income = await insertConsent(app, { dataset: 'income', provider: 'altinn', nationalId: freshNationalId() });
    const calls = nogi.sandbox.getCalls().length;
    const revoked = await api(app, 'DELETE', `/v1/consents/${income.id}`, { token: admin });
    expect(revoked.status).toBe(204);
    expect((await api(app, 'GET', `/v1/consents/${income.id}`, { token: admin })).json).toMatchObject({ status: 'revoked', dataset: 'income', provider: 'altinn' });
    expect(nogi.sandbox.getCalls().length).toBe(calls);
    const audit = await app.app.get(DataSource).query(`SELECT action, dataset, detail FROM audit_event WHERE consent_id = $1 ORDER BY id`, [income.id]);
    expect(audit).toEqual([{ action: 'consent.revoked', dataset: 'income', detail: { altinn: 'local' } }]);
    // Idempotent.
    expect((await api(app, 'DELETE', `/v1/consents/${income.id}`, { token: admin })).status).toBe(204);
  });
});
