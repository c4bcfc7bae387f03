import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { NationalIdHasher } from '../../../src/common/crypto/data-cipher';
import { ConsentRepository } from '../../../src/consents/consent.repository';
import { idempotencyScope, storeKey } from '../../../src/consents/idempotency.store';
import { createTestPki, startPartnerBankSandbox, type StartedPartnerBankSandbox, type TestPki } from '../../../src/providers/openbanking/sandbox';
import { StateStore } from '../../../src/redis/state-store';
import { api, startReadyApp } from '../../consents/consents.helpers';
import { freshNationalId, OTHER_PERSON_WITH_DEBT, PERSON_WITH_DEBT } from '../../support/national-ids';
import type { TestApp } from '../../support/test-app';
import { apiEnv, fallbackEnv, SANDBOX_CLIENT } from './openbanking-harness';

const CUSTOMER_SCOPES = ['consent:write', 'consent:read', 'accounts:read'] as const;
const fields = (json: { errors?: Array<{ field: string }> }) => (json.errors ?? []).map((e) => e.field);
const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);

/** The `accounts` dataset over real HTTP: the service (api and fallback mode) and the partner-bank simulator on its own port. */
describe('accounts consents at the partner bank', () => {
  let bank: StartedPartnerBankSandbox;
  let pki: TestPki;
  let app: TestApp;
  let fallback: TestApp;
  let kari: string;
  let ola: string;

  beforeAll(async () => {
    pki = await createTestPki({ keyType: 'RSA', tppName: 'Test Bank ASA' });
    bank = await startPartnerBankSandbox({ ...SANDBOX_CLIENT, trustedCaPem: pki.caCertPem });
    app = await startReadyApp({ env: { PROVIDERS: 'nogi,openbanking', ...apiEnv(bank, { OPENBANKING_TIMEOUT_MS: '800' }) } });
    fallback = await startReadyApp({ env: { PROVIDERS: 'nogi,openbanking', ...fallbackEnv(bank, pki) }, issuer: app.issuer });
    kari = await app.issuer.customer(PERSON_WITH_DEBT, [...CUSTOMER_SCOPES]);
    ola = await app.issuer.customer(OTHER_PERSON_WITH_DEBT, [...CUSTOMER_SCOPES]);
  });
  beforeEach(() => bank.sandbox.reset());
  afterAll(async () => {
    await fallback?.close();
    await app?.close();
    await bank?.close();
  });

  const register = (target: TestApp, token: string, body: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
    api(target, 'POST', '/v1/consents', { token, body: { dataset: 'accounts', durationDays: 90, ...body }, headers });
  const audit = async (consentId: string) =>
    (await app.app.get(DataSource).query('SELECT action, outcome, dataset FROM audit_event WHERE consent_id = $1 ORDER BY id', [consentId])) as Array<{ action: string; outcome: string; dataset: string }>;

  it.each(['api', 'fallback'] as const)('registers with a customer token and reads accounts and transactions (%s mode)', async (mode) => {
    const target = mode === 'api' ? app : fallback;
    const started = Date.now();
    const created = await register(target, kari, { clientConsentId: `nettbank-${randomUUID()}` });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ dataset: 'accounts', provider: 'openbanking', purpose: 'processing', scope: 'accounts', source: 'agreement', status: 'active' });
    const expiresIn = Date.parse(created.json.expiresAt) - started;
    expect(expiresIn).toBeGreaterThanOrEqual(90 * 86_400_000 - 1000);
    expect(expiresIn).toBeLessThan(90 * 86_400_000 + 60_000);
    // Recorded only: nothing was asked of the partner bank.
    expect(bank.sandbox.getCalls()).toEqual([]);

    const accounts = await api(target, 'GET', `/v1/consents/${created.json.id}/accounts`, { token: kari });
    expect(accounts.status).toBe(200);
    expect(accounts.headers['cache-control']).toBe('no-store');
    expect(accounts.json.accounts.map((a: { id: string }) => a.id)).toEqual(['spv-10001-brukskonto', 'spv-10002-hoyrente', 'spv-10003-bsu']);
    expect(accounts.json.accounts[0].balances[0]).toEqual({ type: 'interimAvailable', amount: '10000.00', currency: 'NOK', referenceDate: expect.any(String) });

    const transactions = await api(target, 'GET', `/v1/consents/${created.json.id}/accounts/spv-10001-brukskonto/transactions?from=${day(20)}&to=${day(5)}`, { token: kari });
    expect(transactions.status).toBe(200);
    expect(transactions.json.accountId).toBe('spv-10001-brukskonto');
    expect(transactions.json.booked.map((t: { bookingDate: string }) => t.bookingDate)).toEqual([day(6), day(11), day(16)]);
    expect(transactions.json.booked[0].transactionAmount).toEqual({ amount: '-40.00', currency: 'NOK' });
    const defaults = await api(target, 'GET', `/v1/consents/${created.json.id}/accounts/spv-10001-brukskonto/transactions`, { token: kari });
    expect(defaults.status).toBe(200);
    expect(bank.sandbox.getCalls('transactions').slice(-1)[0].query).toEqual({ bookingStatus: 'both', dateFrom: day(90), dateTo: day(0) });

    const reads = bank.sandbox.getCalls().filter((c) => c.endpoint !== 'token');
    for (const call of reads) {
      expect(call.status).toBe(200);
      expect(call.headers).toMatchObject({ psuId: 'present', accept: 'application/json' });
      expect(call.headers.authorization).toBe(mode === 'api' ? 'Bearer' : 'none');
      expect(call.headers.fallbackJwt).toBe(mode === 'api' ? 'absent' : 'present');
    }
    expect(bank.sandbox.getCalls('token')).toHaveLength(mode === 'api' ? 1 : 0);
    expect((await audit(created.json.id)).map((r) => [r.action, r.outcome, r.dataset])).toEqual([
      ['consent.registered', 'success', 'accounts'],
      ['consent.data_read', 'success', 'accounts'],
      ['consent.data_read', 'success', 'accounts'],
      ['consent.data_read', 'success', 'accounts'],
    ]);
    const shown = await api(target, 'GET', `/v1/consents/${created.json.id}`, { token: kari });
    expect(shown.json.lastUsedAt).toEqual(expect.any(String));
  });

  it('keeps the national id encrypted (bound to the consent) besides its keyed hash', async () => {
    const created = await register(app, kari);
    const [row] = await app.app.get(DataSource).query('SELECT provider_consent_id, secret_ciphertext, national_id_hash FROM consent WHERE id = $1', [created.json.id]);
    expect(row.provider_consent_id).toBe(created.json.id);
    expect(row.national_id_hash).toBe(app.app.get(NationalIdHasher).hash(PERSON_WITH_DEBT));
    expect(row.secret_ciphertext).toMatch(/^[\w-]+\.\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(row.secret_ciphertext).not.toContain(PERSON_WITH_DEBT);
    // Moved to another consent, the ciphertext does not decrypt: that read fails instead of asking about this person.
    const other = await register(app, ola);
    await app.app.get(DataSource).query('UPDATE consent SET secret_ciphertext = $1 WHERE id = $2', [row.secret_ciphertext, other.json.id]);
    const read = await api(app, 'GET', `/v1/consents/${other.json.id}/accounts`, { token: ola });
    expect(read.status).toBe(500);
    expect(bank.sandbox.getCalls('accounts')).toEqual([]);
  });

  it('refuses a service token with 403 CUSTOMER_PRESENCE_REQUIRED, after the input checks', async () => {
    const service = await app.issuer.service(['consent:write', 'consent:read', 'accounts:read', 'consent:admin']);
    const customer = freshNationalId();
    const refused = await register(app, service, { nationalId: customer }, { 'idempotency-key': randomUUID() });
    expect([refused.status, refused.json.code]).toEqual([403, 'CUSTOMER_PRESENCE_REQUIRED']);
    const invalid = await register(app, service, { nationalId: customer, durationDays: 181 });
    expect([invalid.status, fields(invalid.json)]).toEqual([400, ['durationDays']]);
    const list = await api(app, 'GET', '/v1/consents', { token: service, headers: { 'x-national-id': customer } });
    expect([list.status, list.json.items]).toEqual([200, []]);
  });

  it('validates the body: durationDays 1–180, purpose processing or absent, the national id the customer’s own', async () => {
    for (const durationDays of [0, 181, 1.5, '30', null]) {
      const answer = await register(app, kari, { durationDays });
      expect([durationDays, answer.status, fields(answer.json)]).toEqual([durationDays, 400, ['durationDays']]);
    }
    const presentation = await register(app, kari, { purpose: 'presentation' });
    expect([presentation.status, fields(presentation.json)]).toEqual([400, ['purpose']]);
    const processing = await register(app, kari, { purpose: 'processing', durationDays: 180, nationalId: PERSON_WITH_DEBT });
    expect([processing.status, processing.json.purpose]).toEqual([201, 'processing']);
    const one = await register(app, kari, { durationDays: 1 });
    expect(one.status).toBe(201);
    const someoneElse = await register(app, kari, { nationalId: OTHER_PERSON_WITH_DEBT });
    expect([someoneElse.status, someoneElse.json.code]).toEqual([403, 'FORBIDDEN']);
    // No flow for accounts, even with open banking enabled.
    const flow = await api(app, 'POST', '/v1/consent-flows', { token: kari, body: { dataset: 'accounts', durationDays: 30, returnUrl: 'https://nettbank.test/back' } });
    expect([flow.status, fields(flow.json)]).toEqual([400, ['dataset']]);
  });

  it('replays an Idempotency-Key with the same body, refuses it with another body (debt included), and never records twice', async () => {
    const customer = freshNationalId();
    const token = await app.issuer.customer(customer, [...CUSTOMER_SCOPES]);
    const key = randomUUID();
    const first = await register(app, token, { durationDays: 30 }, { 'idempotency-key': key });
    const again = await register(app, token, { durationDays: 30 }, { 'idempotency-key': key });
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(again.json).toEqual(first.json);
    const other = await register(app, token, { durationDays: 31 }, { 'idempotency-key': key });
    expect([other.status, other.json.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
    const debt = await api(app, 'POST', '/v1/consents', { token, body: { purpose: 'presentation', durationDays: 30 }, headers: { 'idempotency-key': key } });
    expect([debt.status, debt.json.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);

    // The stored answer lost (Redis flushed): the retry finds the consent it recorded, not a second one.
    const hash = app.app.get(NationalIdHasher).hash(customer);
    await app.app.get(StateStore).delete(storeKey(idempotencyScope('nettbank', hash), key));
    const retried = await register(app, token, { durationDays: 30 }, { 'idempotency-key': key });
    expect([retried.status, retried.json.id]).toEqual([201, first.json.id]);
    const list = await api(app, 'GET', '/v1/consents', { token });
    expect(list.json.items.map((c: { id: string }) => c.id)).toEqual([first.json.id]);
    expect((await audit(first.json.id)).filter((r) => r.action === 'consent.registered')).toHaveLength(1);

    const clientConsentId = `nettbank-${randomUUID()}`;
    expect((await register(app, token, { clientConsentId })).status).toBe(201);
    const duplicate = await register(app, token, { clientConsentId });
    expect([duplicate.status, duplicate.json.code]).toEqual([409, 'CONSENT_CONFLICT']);
  });

  it('answers 404 to another customer, 409 on the debt route, and lists accounts by dataset and provider', async () => {
    const created = await register(app, kari);
    for (const path of [`/v1/consents/${created.json.id}/accounts`, `/v1/consents/${created.json.id}/accounts/spv-10001-brukskonto/transactions`, `/v1/consents/${created.json.id}`]) {
      const answer = await api(app, 'GET', path, { token: ola });
      expect([path, answer.status, answer.json.code]).toEqual([path, 404, 'CONSENT_NOT_FOUND']);
    }
    const debtRoute = await api(app, 'GET', `/v1/consents/${created.json.id}/debt`, { token: await app.issuer.customer(PERSON_WITH_DEBT, ['debt:read']) });
    expect([debtRoute.status, debtRoute.json.code]).toEqual([409, 'DATASET_MISMATCH']);
    const debt = await app.app.get(ConsentRepository).insert({
      providerConsentId: randomUUID(), clientConsentId: null, purpose: 'processing', scope: 'debt.unsecured.processing', durationDays: 10, source: 'agreement', status: 'active',
      nationalIdHash: app.app.get(NationalIdHasher).hash(PERSON_WITH_DEBT), createdBy: 'test', expiresAt: new Date(Date.now() + 86_400_000),
    });
    const accountsRoute = await api(app, 'GET', `/v1/consents/${debt.id}/accounts`, { token: kari });
    expect([accountsRoute.status, accountsRoute.json.code]).toEqual([409, 'DATASET_MISMATCH']);
    expect(bank.sandbox.getCalls()).toEqual([]);

    const ids = async (query: string) => (await api(app, 'GET', `/v1/consents${query}`, { token: kari })).json.items.map((c: { id: string }) => c.id);
    expect(await ids('?dataset=accounts&limit=100')).toContain(created.json.id);
    expect(await ids('?provider=openbanking&limit=100')).toContain(created.json.id);
    expect(await ids('?dataset=accounts&limit=100')).not.toContain(debt.id);
    expect(await ids('?dataset=debt&limit=100')).not.toContain(created.json.id);
    expect(await ids('?provider=nogi&limit=100')).not.toContain(created.json.id);
  });

  it('checks accountId, from and to before anything is looked up or called', async () => {
    const created = await register(app, kari);
    const base = `/v1/consents/${created.json.id}/accounts`;
    const cases: Array<[string, string]> = [
      [`${base}/${encodeURIComponent('bad id!')}/transactions`, 'accountId'],
      [`${base}/${'a'.repeat(101)}/transactions`, 'accountId'],
      [`${base}/spv-10001-brukskonto/transactions?from=${day(5)}&to=${day(20)}`, 'from'],
      [`${base}/spv-10001-brukskonto/transactions?from=${day(400)}&to=${day(0)}`, 'from'],
      [`${base}/spv-10001-brukskonto/transactions?from=2026-02-30`, 'from'],
      [`${base}/spv-10001-brukskonto/transactions?to=01.12.2026`, 'to'],
      [`${base}/spv-10001-brukskonto/transactions?from=${day(1)}&from=${day(2)}`, 'from'],
    ];
    for (const [path, field] of cases) {
      const answer = await api(app, 'GET', path, { token: kari });
      expect([path, answer.status, fields(answer.json)]).toEqual([path, 400, [field]]);
    }
    // Input before the object: another customer's consent with a bad account id is a 400 too.
    const otherCustomer = await api(app, 'GET', `${base}/${encodeURIComponent('bad id!')}/transactions`, { token: ola });
    expect(otherCustomer.status).toBe(400);
    expect(bank.sandbox.getCalls()).toEqual([]);
    const exactlyAYear = await api(app, 'GET', `${base}/spv-10001-brukskonto/transactions?from=${day(366)}&to=${day(0)}`, { token: kari });
    expect(exactlyAYear.status).toBe(200);
  });

  it("answers 404 ACCOUNT_NOT_FOUND for an account the partner bank does not know for this customer", async () => {
    const created = await register(app, kari);
    const answer = await api(app, 'GET', `/v1/consents/${created.json.id}/accounts/spv-20001-lonnskonto/transactions`, { token: kari });
    expect([answer.status, answer.json.code]).toEqual([404, 'ACCOUNT_NOT_FOUND']);
    expect(await audit(created.json.id)).toContainEqual({ action: 'consent.data_read', outcome: 'account_not_found', dataset: 'accounts' });
  });

  it('records a DELETE as revoked at once (204) and never reads with the consent again (410)', async () => {
    const created = await register(app, kari);
    const revoked = await api(app, 'DELETE', `/v1/consents/${created.json.id}`, { token: kari });
    expect(revoked.status).toBe(204);
    expect((await api(app, 'GET', `/v1/consents/${created.json.id}`, { token: kari })).json).toMatchObject({ status: 'revoked', revokedAt: expect.any(String) });
    for (const path of ['accounts', 'accounts/spv-10001-brukskonto/transactions']) {
      const answer = await api(app, 'GET', `/v1/consents/${created.json.id}/${path}`, { token: kari });
      expect([answer.status, answer.json.code]).toEqual([410, 'CONSENT_NOT_ACTIVE']);
    }
    expect((await api(app, 'DELETE', `/v1/consents/${created.json.id}`, { token: kari })).status).toBe(204);
    expect(bank.sandbox.getCalls()).toEqual([]);
    expect((await audit(created.json.id)).map((r) => [r.action, r.outcome])).toEqual([
      ['consent.registered', 'success'],
      ['consent.revoked', 'success'],
      ['consent.data_read', 'consent_not_active'],
      ['consent.data_read', 'consent_not_active'],
    ]);
  });

  it('asks for one token under 20 concurrent reads on two replicas', async () => {
    const redisKeyPrefix = `test:${randomUUID()}:`;
    const env = { PROVIDERS: 'nogi,openbanking', ...apiEnv(bank) };
    const [one, two] = await Promise.all([startReadyApp({ env, redisKeyPrefix, issuer: app.issuer }), startReadyApp({ env, redisKeyPrefix, issuer: app.issuer })]);
    try {
      const created = await register(one, kari);
      const reads = await Promise.all(Array.from({ length: 20 }, (_, i) => api(i % 2 ? two : one, 'GET', `/v1/consents/${created.json.id}/accounts`, { token: kari })));
      expect(reads.map((r) => r.status)).toEqual(Array(20).fill(200));
      expect(bank.sandbox.getCalls('token')).toHaveLength(1);
      expect(bank.sandbox.getCalls('accounts')).toHaveLength(20);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });

  it('answers 503 OPENBANKING_UNAVAILABLE for a partner 5xx and 504 OPENBANKING_TIMEOUT within the timeout', async () => {
    const created = await register(app, kari);
    bank.sandbox.injectFault({ endpoint: 'accounts', kind: 'status', status: 503, times: 5 });
    const unavailable = await api(app, 'GET', `/v1/consents/${created.json.id}/accounts`, { token: kari });
    expect([unavailable.status, unavailable.json.code]).toEqual([503, 'OPENBANKING_UNAVAILABLE']);
    expect(JSON.stringify(unavailable.json)).not.toContain('INTERNAL_SERVER_ERROR');
    bank.sandbox.faults.clear();

    bank.sandbox.injectFault({ endpoint: 'transactions', kind: 'timeout' });
    const started = Date.now();
    const timeout = await api(app, 'GET', `/v1/consents/${created.json.id}/accounts/spv-10001-brukskonto/transactions`, { token: kari });
    expect([timeout.status, timeout.json.code]).toEqual([504, 'OPENBANKING_TIMEOUT']);
    expect(Date.now() - started).toBeLessThan(800 + 700);
    expect((await audit(created.json.id)).map((r) => r.outcome)).toEqual(['success', 'openbanking_unavailable', 'openbanking_timeout']);
  });

  it('never logs a national id or the PSU-ID header', () => {
    const logs = [...app.logs, ...fallback.logs].join('\n');
    expect(logs).toContain('/accounts');
    for (const nationalId of [PERSON_WITH_DEBT, OTHER_PERSON_WITH_DEBT]) expect(logs).not.toContain(nationalId);
    expect(logs.toLowerCase()).not.toContain('psu-id');
  });
});
