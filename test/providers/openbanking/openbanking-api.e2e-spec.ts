import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PartnerAccountNotFoundError } from '../../../src/providers/openbanking/accounts.client';
import { startPartnerBankSandbox, StartedPartnerBankSandbox } from '../../../src/providers/openbanking/sandbox';
import { freshNationalId, OTHER_PERSON_WITH_DEBT, PERSON_WITH_DEBT } from '../../support/national-ids';
import { apiEnv, configFor, SANDBOX_CLIENT, SharedRedis } from './openbanking-harness';

const reason = async (res: Response) => ((await res.json()) as { tppMessages: Array<{ text: string }> }).tppMessages[0].text;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('Open banking, api mode (client credentials) against the partner-bank simulator', () => {
  let bank: StartedPartnerBankSandbox;
  const shared = new SharedRedis();

  beforeAll(async () => {
    await shared.connect();
    bank = await startPartnerBankSandbox({ ...SANDBOX_CLIENT });
  });
  beforeEach(() => {
    shared.fresh();
    bank.sandbox.reset();
  });
  afterEach(() => shared.closeClients());
  afterAll(async () => {
    await shared.quit();
    await bank.close();
  });

  const replica = (extra: Record<string, string> = {}) => shared.replica(configFor(apiEnv(bank, extra)));

  it("returns the customer's accounts with their balances as decimal strings", async () => {
    const { accounts } = await replica().service.accountsWithBalances(PERSON_WITH_DEBT);
    expect(accounts.map((a) => a.id)).toEqual(['spv-10001-brukskonto', 'spv-10002-hoyrente', 'spv-10003-bsu']);
    expect(accounts[0]).toEqual({
      id: 'spv-10001-brukskonto',
      name: 'Brukskonto Kari Nordmann',
      bban: '36330000001',
      iban: expect.stringMatching(/^NO\d{2}36330000001$/),
      currency: 'NOK',
      product: 'Brukskonto',
      balances: [
        { type: 'interimAvailable', amount: '10000.00', currency: 'NOK', referenceDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) },
        { type: 'closingBooked', amount: '10389.40', currency: 'NOK', referenceDate: expect.any(String) },
      ],
    });
    expect(accounts[2].iban).toBeUndefined();
    const other = await replica().service.accountsWithBalances(OTHER_PERSON_WITH_DEBT);
    expect(other.accounts.find((a) => a.id === 'spv-20002-felles')?.balances[0].amount).toBe('-250.50');
  });

  it('sends a JSON token request once, then PSU-ID, a new X-Request-ID, Accept and the bearer token on every call', async () => {
    await replica().service.accountsWithBalances(PERSON_WITH_DEBT);
    const [token] = bank.sandbox.getCalls('token');
    expect(bank.sandbox.getCalls('token')).toHaveLength(1);
    expect(token.headers).toMatchObject({ authorization: 'none', contentType: 'application/json' });
    expect(token.body).toEqual({ client_id: SANDBOX_CLIENT.clientId, audience: SANDBOX_CLIENT.audience, grant_type: 'client_credentials', client_secret: 'present' });
    const reads = bank.sandbox.getCalls().filter((c) => c.endpoint !== 'token');
    expect(reads.map((c) => c.endpoint)).toEqual(['accounts', 'balances', 'balances', 'balances']);
    for (const call of reads) {
      expect(call.status).toBe(200);
      expect(call.headers).toMatchObject({ authorization: 'Bearer', psuId: 'present', accept: 'application/json', xRequestId: expect.stringMatching(UUID), fallbackCert: 'absent' });
    }
    expect(new Set(reads.map((c) => c.headers.xRequestId)).size).toBe(reads.length);
    expect(JSON.stringify(bank.sandbox.getCalls())).not.toContain(PERSON_WITH_DEBT);
    expect(JSON.stringify(bank.sandbox.getCalls())).not.toContain(SANDBOX_CLIENT.clientSecret);
  });

  it("returns one account's booked and pending transactions within the dates asked for", async () => {
    const service = replica().service;
    const all = await service.transactions(PERSON_WITH_DEBT, 'spv-10001-brukskonto');
    expect(all.accountId).toBe('spv-10001-brukskonto');
    expect(all.booked.length).toBe(8); // the 140-day-old salary is outside the default 90 days
    expect(all.pending).toEqual([{ transactionId: 'spv-10001-brukskonto-p1', valueDate: expect.any(String), transactionAmount: { amount: '-189.90', currency: 'NOK' }, creditorName: 'Vinmonopolet Bergen Storsenter', remittanceInformationUnstructured: 'Varekjøp' }]);
    expect(all.booked.find((t) => t.debtorName === 'Helse Bergen HF')).toMatchObject({ transactionAmount: { amount: '42150.00', currency: 'NOK' }, remittanceInformationUnstructured: 'Lønn' });
    const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
    const window = await service.transactions(PERSON_WITH_DEBT, 'spv-10001-brukskonto', day(20), day(5));
    expect(window.booked.map((t) => t.bookingDate)).toEqual([day(6), day(11), day(16)]);
    expect(window.pending).toEqual([]);
    const [call] = bank.sandbox.getCalls('transactions').slice(-1);
    expect(call.query).toEqual({ bookingStatus: 'both', dateFrom: day(20), dateTo: day(5) });
  });

  it("answers a typed not-found for another customer's account, and refuses an id outside the contract's characters without calling", async () => {
    const service = replica().service;
    await expect(service.transactions(OTHER_PERSON_WITH_DEBT, 'spv-10001-brukskonto')).rejects.toBeInstanceOf(PartnerAccountNotFoundError);
    await expect(service.transactions(PERSON_WITH_DEBT, '../accounts')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(service.transactions(PERSON_WITH_DEBT, 'spv-10001-brukskonto', '2026-01-01', '2025-01-01')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(bank.sandbox.getCalls('transactions')).toHaveLength(1);
  });

  it('gives an unknown person an empty list', async () => {
    expect(await replica().service.accountsWithBalances(freshNationalId())).toEqual({ accounts: [] });
  });

  it('asks for exactly one token under 20 concurrent reads on two replicas', async () => {
    const [a, b] = [replica(), replica()];
    const reads = Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).client.accounts(PERSON_WITH_DEBT));
    const results = await Promise.all(reads);
    expect(results.every((r) => r.length === 3)).toBe(true);
    expect(bank.sandbox.getCalls('token')).toHaveLength(1);
    expect(bank.sandbox.getCalls('accounts')).toHaveLength(20);
  });

  it('drops a token the bank no longer accepts and retries once with a new one', async () => {
    const r = replica();
    await r.client.accounts(PERSON_WITH_DEBT);
    bank.sandbox.revokeTokens();
    expect(await r.client.accounts(PERSON_WITH_DEBT)).toHaveLength(3);
    expect(bank.sandbox.getCalls('token')).toHaveLength(2);
    expect(bank.sandbox.getCalls('accounts').map((c) => c.status)).toEqual([200, 401, 200]);
  });

  it('maps a refused token request (wrong audience, wrong secret) to OPENBANKING_REJECTED', async () => {
    await expect(replica({ OPENBANKING_AUDIENCE: 'https://openbanking.other.no' }).client.accounts(PERSON_WITH_DEBT)).rejects.toMatchObject({ code: 'OPENBANKING_REJECTED' });
    shared.fresh();
    await expect(replica({ OPENBANKING_CLIENT_SECRET: 'wrong' }).client.accounts(PERSON_WITH_DEBT)).rejects.toMatchObject({ code: 'OPENBANKING_REJECTED' });
    expect(bank.sandbox.getCalls('token').map((c) => c.status)).toEqual([403, 401]);
    expect(bank.sandbox.getCalls('accounts')).toHaveLength(0);
  });

  it('maps a partner 5xx to OPENBANKING_UNAVAILABLE (after its retries)', async () => {
    bank.sandbox.injectFault({ endpoint: 'accounts', kind: 'status', status: 503 });
    await expect(replica().service.accountsWithBalances(PERSON_WITH_DEBT)).rejects.toMatchObject({ code: 'OPENBANKING_UNAVAILABLE', status: 503 });
    expect(bank.sandbox.getCalls('accounts').length).toBeGreaterThanOrEqual(1);
  });

  it('maps a partner that does not answer to OPENBANKING_TIMEOUT within OPENBANKING_TIMEOUT_MS', async () => {
    const r = replica({ OPENBANKING_TIMEOUT_MS: '400' });
    await r.tokens!.token();
    bank.sandbox.injectFault({ endpoint: 'balances', kind: 'timeout' });
    const started = Date.now();
    await expect(r.service.accountsWithBalances(PERSON_WITH_DEBT)).rejects.toMatchObject({ code: 'OPENBANKING_TIMEOUT', status: 504 });
    expect(Date.now() - started).toBeLessThan(400 + 300);
  });
});

describe('The partner-bank simulator refuses what SPV would', () => {
  let bank: StartedPartnerBankSandbox;
  beforeAll(async () => {
    bank = await startPartnerBankSandbox({ ...SANDBOX_CLIENT });
  });
  afterAll(() => bank.close());

  const tokenRequest = (init: RequestInit) => fetch(bank.tokenUrl, { method: 'POST', ...init });
  const jsonBody = (extra: Record<string, string> = {}) =>
    JSON.stringify({ client_id: SANDBOX_CLIENT.clientId, client_secret: SANDBOX_CLIENT.clientSecret, audience: SANDBOX_CLIENT.audience, grant_type: 'client_credentials', ...extra });

  it('issues a bearer token for the JSON body', async () => {
    const res = await tokenRequest({ headers: { 'content-type': 'application/json' }, body: jsonBody() });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600, scope: expect.any(String) });
  });

  it('refuses a form-encoded token request', async () => {
    const form = new URLSearchParams({ client_id: SANDBOX_CLIENT.clientId, client_secret: SANDBOX_CLIENT.clientSecret, audience: SANDBOX_CLIENT.audience, grant_type: 'client_credentials' });
    const res = await tokenRequest({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_request', error_description: expect.stringContaining('JSON') });
  });

  it('refuses Basic client authentication, a wrong secret and a wrong audience', async () => {
    const basic = `Basic ${Buffer.from(`${SANDBOX_CLIENT.clientId}:${SANDBOX_CLIENT.clientSecret}`).toString('base64')}`;
    expect((await tokenRequest({ headers: { 'content-type': 'application/json', authorization: basic }, body: jsonBody() })).status).toBe(401);
    expect((await tokenRequest({ headers: { 'content-type': 'application/json' }, body: jsonBody({ client_secret: 'nope' }) })).status).toBe(401);
    const wrongAudience = await tokenRequest({ headers: { 'content-type': 'application/json' }, body: jsonBody({ audience: 'https://elsewhere.no' }) });
    expect(wrongAudience.status).toBe(403);
    expect(await wrongAudience.json()).toEqual({ error: 'access_denied', error_description: 'Service not enabled within domain' });
  });

  it('refuses a call without PSU-ID, or with an invalid one, with 400; and one without credentials with 401', async () => {
    const { access_token } = (await (await tokenRequest({ headers: { 'content-type': 'application/json' }, body: jsonBody() })).json()) as { access_token: string };
    const read = (headers: Record<string, string>) => fetch(`${bank.url}/v1/accounts`, { headers });
    const missing = await read({ authorization: `Bearer ${access_token}` });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ tppMessages: [{ category: 'ERROR', code: 'FORMAT_ERROR', text: 'PSU_ID_MISSING' }] });
    const invalid = await read({ authorization: `Bearer ${access_token}`, 'PSU-ID': '12345678901' });
    expect(await reason(invalid)).toBe('PSU_ID_INVALID');
    const anonymous = await read({ 'PSU-ID': PERSON_WITH_DEBT });
    expect(anonymous.status).toBe(401);
    expect(await reason(anonymous)).toBe('NO_CREDENTIALS');
    expect(await reason(await read({ authorization: 'Bearer made-up', 'PSU-ID': PERSON_WITH_DEBT }))).toBe('BEARER_TOKEN_INVALID');
  });
});

describe('Open banking, an answer we cannot use', () => {
  let server: Server;
  let url: string;
  const shared = new SharedRedis();
  beforeAll(async () => {
    await shared.connect();
    shared.fresh();
    // A partner answering with a float amount, where NextGenPSD2 has a decimal string.
    server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/oauth/token') return res.end(JSON.stringify({ access_token: 't', token_type: 'Bearer' }));
      if (req.url?.endsWith('/balances')) return res.end(JSON.stringify({ balances: [{ balanceType: 'interimAvailable', balanceAmount: { amount: 10000.1, currency: 'NOK' } }] }));
      return res.end(JSON.stringify({ accounts: [{ resourceId: 'a1', bban: '36330000001', currency: 'NOK', name: 'X' }] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await shared.quit();
    await new Promise((resolve) => server.close(resolve));
  });

  it('maps it to OPENBANKING_BAD_RESPONSE (and takes a token without expires_in)', async () => {
    const config = configFor({ OPENBANKING_API_URL: url, OPENBANKING_TOKEN_URL: `${url}/oauth/token`, OPENBANKING_AUDIENCE: 'a', OPENBANKING_CLIENT_ID: 'c', OPENBANKING_CLIENT_SECRET: 's' });
    const r = shared.replica(config);
    await expect(r.service.accountsWithBalances(PERSON_WITH_DEBT)).rejects.toMatchObject({ code: 'OPENBANKING_BAD_RESPONSE', status: 502 });
  });
});
