import { randomUUID } from 'node:crypto';
import { type StartedNogiSandbox } from '../../src/providers/nogi/sandbox';
import { freshNationalId, PERSON_WITH_DEBT } from '../support/national-ids';
import { TEST_CLIENT, type TestApp } from '../support/test-app';
import { api, startReadyApp, startSandbox } from './consents.helpers';

describe('Consent administration and debt by consent', () => {
  let nogi: StartedNogiSandbox;
  let app: TestApp;
  let admin: string;

  beforeAll(async () => {
    nogi = await startSandbox();
    app = await startReadyApp({ nogiUrl: nogi.url });
    admin = await app.issuer.service(['consent:write', 'consent:read', 'debt:read', 'consent:admin']);
  });
  afterAll(async () => {
    await app.close();
    await nogi.close();
  });

  const register = async (nationalId: string, body: Record<string, unknown> = {}, headers: Record<string, string> = {}, token = admin) =>
    api(app, 'POST', '/v1/consents', { token, body: { nationalId, purpose: 'presentation', durationDays: 30, ...body }, headers });
  const nogiConsentOf = (clientConsentId: string) => nogi.sandbox.listConsents(TEST_CLIENT.id).find((c) => c.externalConsentId === clientConsentId)!;
  const callsSince = (from: number, endpoint?: string) => nogi.sandbox.getCalls(endpoint).slice(from);

  it('registers a consent, lists it by X-National-Id, collects its debt, revokes it, and then refuses its debt with 410', async () => {
    const created = await register(PERSON_WITH_DEBT, { clientConsentId: `walk-${randomUUID()}` });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ id: expect.any(String), purpose: 'presentation', scope: 'debt.unsecured.presentation', status: 'active', source: 'agreement' });
    expect(new Date(created.json.expiresAt).getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    expect(JSON.stringify(created.json)).not.toContain(PERSON_WITH_DEBT);

    const listed = await api(app, 'GET', '/v1/consents?limit=100', { token: admin, headers: { 'x-national-id': PERSON_WITH_DEBT } });
    expect(listed.status).toBe(200);
    expect(listed.json.items.map((c: { id: string }) => c.id)).toContain(created.json.id);

    const debt = await api(app, 'GET', `/v1/consents/${created.json.id}/debt`, { token: admin });
    expect(debt.status).toBe(200);
    expect(debt.json.loans.length).toBeGreaterThan(0);
    expect(debt.json.consent).toMatchObject({ id: created.json.id, scope: 'debt.unsecured.presentation' });
    expect(debt.json).not.toHaveProperty('ssn');
    expect(JSON.stringify(debt.json)).not.toContain(PERSON_WITH_DEBT);

    const used = await api(app, 'GET', `/v1/consents/${created.json.id}`, { token: admin });
    expect(used.json.lastUsedAt).toEqual(expect.any(String));

    const revoked = await api(app, 'DELETE', `/v1/consents/${created.json.id}`, { token: admin });
    expect(revoked.status).toBe(204);
    expect(nogiConsentOf(created.json.clientConsentId).revokedBy).toBe('client');
    const after = await api(app, 'GET', `/v1/consents/${created.json.id}`, { token: admin });
    expect(after.json).toMatchObject({ status: 'revoked', revokedAt: expect.any(String) });

    const before = nogi.sandbox.getCalls('debtById').length;
    const refused = await api(app, 'GET', `/v1/consents/${created.json.id}/debt`, { token: admin });
    expect(refused.status).toBe(410);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.json.code).toBe('CONSENT_NOT_ACTIVE');
    expect(nogi.sandbox.getCalls('debtById')).toHaveLength(before);

    expect((await api(app, 'DELETE', `/v1/consents/${created.json.id}`, { token: admin })).status).toBe(204);
  });

  it('shows each upstream request in the NoGi call log with the right audience, Basic auth and body', async () => {
    const fresh = await startReadyApp({ nogiUrl: nogi.url, issuer: app.issuer });
    try {
      const from = nogi.sandbox.getCalls().length;
      const nationalId = freshNationalId();
      const clientConsentId = `log-${randomUUID()}`;
      const created = await api(fresh, 'POST', '/v1/consents', { token: admin, body: { nationalId, purpose: 'processing', durationDays: 28, clientConsentId } });
      expect(created.status).toBe(201);
      await api(fresh, 'GET', `/v1/consents/${created.json.id}/debt`, { token: admin });
      const calls = callsSince(from).filter((c) => c.endpoint !== 'discovery');
      expect(calls.map((c) => `${c.method} ${c.endpoint} ${c.headers.authorization}`)).toEqual([
        'POST token Basic',
        'PUT agreement Bearer',
        'POST token Basic',
        'GET debtById Bearer',
      ]);
      expect(calls[0].headers.basicClientId).toBe(TEST_CLIENT.id);
      expect(calls[0].body).toEqual({ grant_type: 'client_credentials', audience: `${nogi.url}/v1/consent/agreement`, scope: 'consent.create' });
      expect(calls[1].body).toEqual({ nin: nationalId, scope_of_consent: 'debt.unsecured.processing', consent_duration_days: 28, client_consent_id: clientConsentId });
      expect(calls[1].headers.contentType).toContain('application/json');
      expect(calls[2].body).toEqual({ grant_type: 'client_credentials', audience: `${nogi.url}/v1/debt`, scope: 'debt.unsecured.presentation debt.unsecured.processing' });
      expect(calls[3].path).toBe(`/v1/debt/${nogiConsentOf(clientConsentId).id}`);
      // Our request id travels as X-Trace-ID, so NoGi's trace_id can be matched in logs.
      expect(calls[3].headers.traceId).toEqual(expect.any(String));
    } finally {
      await fresh.close();
    }
  });

  it('answers 404 to a customer token for another person’s consent, and nothing reaches NoGi', async () => {
    const owner = freshNationalId();
    const created = await register(owner);
    const stranger = await app.issuer.customer(freshNationalId(), ['consent:read', 'consent:write', 'debt:read']);
    const from = nogi.sandbox.getCalls().length;
    for (const [method, path] of [
      ['GET', `/v1/consents/${created.json.id}`],
      ['GET', `/v1/consents/${created.json.id}?refresh=true`],
      ['GET', `/v1/consents/${created.json.id}/debt`],
      ['DELETE', `/v1/consents/${created.json.id}`],
    ]) {
      const res = await api(app, method, path, { token: stranger });
      expect(res.status).toBe(404);
      expect(res.json.code).toBe('CONSENT_NOT_FOUND');
    }
    const listed = await api(app, 'GET', '/v1/consents', { token: stranger });
    expect(listed.json.items).toEqual([]);
    expect(callsSince(from)).toEqual([]);
    expect((await api(app, 'GET', `/v1/consents/${created.json.id}`, { token: admin })).json.status).toBe('active');
  });

  it('lets a customer register, list and revoke their own consents, but not act for someone else', async () => {
    const me = freshNationalId();
    const customer = await app.issuer.customer(me, ['consent:read', 'consent:write']);
    const created = await api(app, 'POST', '/v1/consents', { token: customer, body: { purpose: 'presentation', durationDays: 10 } });
    expect(created.status).toBe(201);
    const mine = await api(app, 'GET', '/v1/consents', { token: customer });
    expect(mine.json.items.map((c: { id: string }) => c.id)).toEqual([created.json.id]);
    const forOther = await api(app, 'GET', '/v1/consents', { token: customer, headers: { 'x-national-id': freshNationalId() } });
    expect(forOther.status).toBe(403);
    const registerOther = await api(app, 'POST', '/v1/consents', { token: customer, body: { nationalId: freshNationalId(), purpose: 'presentation', durationDays: 10 } });
    expect(registerOther.status).toBe(403);
    expect((await api(app, 'DELETE', `/v1/consents/${created.json.id}`, { token: customer })).status).toBe(204);
  });

  it('refuses a service token without consent:admin to revoke, and to list without X-National-Id', async () => {
    const created = await register(freshNationalId());
    const reader = await app.issuer.service(['consent:read', 'consent:write']);
    const revoke = await api(app, 'DELETE', `/v1/consents/${created.json.id}`, { token: reader });
    expect(revoke.status).toBe(403);
    expect(revoke.json.code).toBe('INSUFFICIENT_SCOPE');
    // The same answer for an id that does not exist: the scope is checked first, nothing leaks.
    const unknown = await api(app, 'DELETE', `/v1/consents/${randomUUID()}`, { token: reader });
    expect([unknown.status, unknown.json.code]).toEqual([403, 'INSUFFICIENT_SCOPE']);
    const list = await api(app, 'GET', '/v1/consents', { token: reader });
    expect(list.status).toBe(400);
    expect(list.json.errors).toEqual([expect.objectContaining({ field: 'nationalId' })]);
    expect((await api(app, 'GET', `/v1/consents/${created.json.id}`, { token: admin })).json.status).toBe('active');
  });

  it('registers once for a retried Idempotency-Key: one upstream PUT and the same answer', async () => {
    const nationalId = freshNationalId();
    const key = randomUUID();
    const from = nogi.sandbox.getCalls('agreement').length;
    const first = await register(nationalId, {}, { 'idempotency-key': key });
    const second = await register(nationalId, {}, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.json).toEqual(first.json);
    expect(nogi.sandbox.getCalls('agreement').slice(from)).toHaveLength(1);
    const listed = await api(app, 'GET', '/v1/consents', { token: admin, headers: { 'x-national-id': nationalId } });
    expect(listed.json.items).toHaveLength(1);
  });

  it('answers concurrent requests with one Idempotency-Key with one consent', async () => {
    const nationalId = freshNationalId();
    const key = randomUUID();
    const answers = await Promise.all(Array.from({ length: 5 }, () => register(nationalId, {}, { 'idempotency-key': key })));
    const created = answers.filter((a) => a.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((a) => a.json.id)).size).toBe(1);
    for (const other of answers.filter((a) => a.status !== 201)) expect(other.json.code).toBe('IDEMPOTENCY_IN_PROGRESS');
    const listed = await api(app, 'GET', '/v1/consents', { token: admin, headers: { 'x-national-id': nationalId } });
    expect(listed.json.items).toHaveLength(1);
  });

  it('answers 422 when an Idempotency-Key is reused with another body', async () => {
    const nationalId = freshNationalId();
    const key = randomUUID();
    expect((await register(nationalId, { durationDays: 30 }, { 'idempotency-key': key })).status).toBe(201);
    const reused = await register(nationalId, { durationDays: 31 }, { 'idempotency-key': key });
    expect(reused.status).toBe(422);
    expect(reused.json.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('keeps Idempotency-Keys apart per caller', async () => {
    const key = randomUUID();
    const other = await app.issuer.service(['consent:write'], { clientId: 'another-service' });
    const a = await register(freshNationalId(), {}, { 'idempotency-key': key });
    const b = await register(freshNationalId(), {}, { 'idempotency-key': key }, other);
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.json.id).not.toBe(a.json.id);
  });

  it('keeps Idempotency-Keys apart per customer of one frontend: two customers using the same key each get their own consent', async () => {
    const key = randomUUID();
    const [me, you] = [freshNationalId(), freshNationalId()];
    const body = { purpose: 'presentation', durationDays: 10 };
    const mine = await api(app, 'POST', '/v1/consents', { token: await app.issuer.customer(me, ['consent:write']), body, headers: { 'idempotency-key': key } });
    const yours = await api(app, 'POST', '/v1/consents', { token: await app.issuer.customer(you, ['consent:write']), body, headers: { 'idempotency-key': key } });
    expect(mine.status).toBe(201);
    expect(yours.status).toBe(201);
    expect(yours.json.id).not.toBe(mine.json.id);
    expect(yours.json.clientConsentId).not.toBe(mine.json.clientConsentId);
    const atNogi = nogi.sandbox.listConsents(TEST_CLIENT.id);
    expect(atNogi.find((c) => c.externalConsentId === mine.json.clientConsentId)?.nationalId).toBe(me);
    expect(atNogi.find((c) => c.externalConsentId === yours.json.clientConsentId)?.nationalId).toBe(you);
  });

  it('answers 409 for a clientConsentId already registered, without a second consent', async () => {
    const clientConsentId = `dup-${randomUUID()}`;
    expect((await register(freshNationalId(), { clientConsentId })).status).toBe(201);
    const again = await register(freshNationalId(), { clientConsentId });
    expect(again.status).toBe(409);
    expect(again.json.code).toBe('CONSENT_CONFLICT');
  });

  it('pages through a customer’s consents newest first with an opaque cursor, filtering by status and purpose', async () => {
    const nationalId = freshNationalId();
    const ids: string[] = [];
    for (const purpose of ['presentation', 'processing', 'presentation']) ids.push((await register(nationalId, { purpose, durationDays: 20 })).json.id);
    const headers = { 'x-national-id': nationalId };
    const first = await api(app, 'GET', '/v1/consents?limit=2', { token: admin, headers });
    expect(first.json.items.map((c: { id: string }) => c.id)).toEqual([ids[2], ids[1]]);
    expect(first.json.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
    const second = await api(app, 'GET', `/v1/consents?limit=2&cursor=${first.json.nextCursor}`, { token: admin, headers });
    expect(second.json).toEqual({ items: [expect.objectContaining({ id: ids[0] })], nextCursor: null });
    const processing = await api(app, 'GET', '/v1/consents?purpose=processing', { token: admin, headers });
    expect(processing.json.items.map((c: { id: string }) => c.id)).toEqual([ids[1]]);
    expect((await api(app, 'DELETE', `/v1/consents/${ids[0]}`, { token: admin })).status).toBe(204);
    const revoked = await api(app, 'GET', '/v1/consents?status=revoked', { token: admin, headers });
    expect(revoked.json.items.map((c: { id: string }) => c.id)).toEqual([ids[0]]);
  });

  it('re-reads NoGi’s status with ?refresh=true and shows a consent archived at NoGi', async () => {
    const clientConsentId = `refresh-${randomUUID()}`;
    const created = await register(freshNationalId(), { clientConsentId });
    nogi.sandbox.archiveConsent(nogiConsentOf(clientConsentId).id);
    expect((await api(app, 'GET', `/v1/consents/${created.json.id}`, { token: admin })).json.status).toBe('active');
    const refreshed = await api(app, 'GET', `/v1/consents/${created.json.id}?refresh=true`, { token: admin });
    expect(refreshed.status).toBe(200);
    expect(refreshed.json.status).toBe('archived');
  });

  it('records the consent as ended when ?refresh=true meets NoGi’s 403 invalid consent (not a 500)', async () => {
    const created = await register(freshNationalId(), { clientConsentId: `refresh-invalid-${randomUUID()}` });
    nogi.sandbox.injectFault({ endpoint: 'status', kind: 'status', status: 403, error: 'invalid consent', errorDescription: 'Consent expired at 2026-11-01T00:00:00.000000Z', times: 1 });
    const refreshed = await api(app, 'GET', `/v1/consents/${created.json.id}?refresh=true`, { token: admin });
    expect(refreshed.status).toBe(200);
    expect(refreshed.json.status).toBe('expired');
    expect((await api(app, 'GET', `/v1/consents/${created.json.id}/debt`, { token: admin })).status).toBe(410);
  });

  it('records the consent as expired and answers 410 when NoGi says invalid consent', async () => {
    const clientConsentId = `expired-${randomUUID()}`;
    const created = await register(freshNationalId(), { clientConsentId });
    nogi.sandbox.expireConsent(nogiConsentOf(clientConsentId).id);
    const debt = await api(app, 'GET', `/v1/consents/${created.json.id}/debt`, { token: admin });
    expect(debt.status).toBe(410);
    expect(debt.json.code).toBe('CONSENT_NOT_ACTIVE');
    expect(JSON.stringify(debt.json)).not.toMatch(/Consent expired at/);
    expect((await api(app, 'GET', `/v1/consents/${created.json.id}`, { token: admin })).json.status).toBe('expired');
  });

  it('answers 502 and records no use when NoGi answers a loan type its contract does not name', async () => {
    const created = await register(PERSON_WITH_DEBT, { clientConsentId: `unknown-loan-${randomUUID()}` });
    nogi.sandbox.extraLoans = [{ creditorName: 'NY KREDITT AS', loan: { type: 'studentLoan', timestamp: '2026-11-01T00:00:00Z', coBorrower: 0, balance: 100 } }];
    try {
      const debt = await api(app, 'GET', `/v1/consents/${created.json.id}/debt`, { token: admin });
      expect(debt.status).toBe(502);
      expect(debt.json.code).toBe('NOGI_BAD_RESPONSE');
      expect(JSON.stringify(debt.json)).not.toContain('studentLoan');
    } finally {
      nogi.sandbox.extraLoans = undefined;
    }
    const consent = await api(app, 'GET', `/v1/consents/${created.json.id}`, { token: admin });
    expect(consent.json).toMatchObject({ status: 'active' });
    expect(consent.json.lastUsedAt ?? null).toBeNull();
    expect((await api(app, 'GET', `/v1/consents/${created.json.id}/debt`, { token: admin })).status).toBe(200);
  });

  it('refetches the token once when NoGi answers 403 for an expired one, and the debt request succeeds', async () => {
    const fresh = await startReadyApp({ nogiUrl: nogi.url, issuer: app.issuer });
    try {
      const created = await api(fresh, 'POST', '/v1/consents', { token: admin, body: { nationalId: freshNationalId(), purpose: 'presentation', durationDays: 30 } });
      expect((await api(fresh, 'GET', `/v1/consents/${created.json.id}/debt`, { token: admin })).status).toBe(200);
      const tokensBefore = nogi.sandbox.getCalls('token').length;
      const debtBefore = nogi.sandbox.getCalls('debtById').length;
      nogi.sandbox.advanceClock(3600 * 1000);
      const debt = await api(fresh, 'GET', `/v1/consents/${created.json.id}/debt`, { token: admin });
      expect(debt.status).toBe(200);
      const debtCalls = nogi.sandbox.getCalls('debtById').slice(debtBefore);
      expect(debtCalls.map((c) => c.status)).toEqual([403, 200]);
      expect(nogi.sandbox.getCalls('token').slice(tokensBefore)).toHaveLength(1);
    } finally {
      await fresh.close();
    }
  });

  it('causes exactly one token request for 50 concurrent debt requests', async () => {
    const fresh = await startReadyApp({ nogiUrl: nogi.url, issuer: app.issuer });
    try {
      const created = await api(fresh, 'POST', '/v1/consents', { token: admin, body: { nationalId: freshNationalId(), purpose: 'presentation', durationDays: 30 } });
      const before = nogi.sandbox.getCalls('token').length;
      const answers = await Promise.all(Array.from({ length: 50 }, () => api(fresh, 'GET', `/v1/consents/${created.json.id}/debt`, { token: admin })));
      expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200));
      expect(nogi.sandbox.getCalls('token').slice(before).map((c) => c.body)).toEqual([expect.objectContaining({ audience: `${nogi.url}/v1/debt` })]);
    } finally {
      await fresh.close();
    }
  });

  it('causes one token request for two service instances sharing Redis', async () => {
    const first = await startReadyApp({ nogiUrl: nogi.url, issuer: app.issuer });
    const second = await startReadyApp({ nogiUrl: nogi.url, issuer: app.issuer, redisKeyPrefix: first.redisKeyPrefix });
    try {
      const created = await api(first, 'POST', '/v1/consents', { token: admin, body: { nationalId: freshNationalId(), purpose: 'presentation', durationDays: 30 } });
      const before = nogi.sandbox.getCalls('token').length;
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, i) => api(i % 2 ? first : second, 'GET', `/v1/consents/${created.json.id}/debt`, { token: admin })),
      );
      expect(answers.map((a) => a.status)).toEqual(Array(40).fill(200));
      expect(nogi.sandbox.getCalls('token').slice(before)).toHaveLength(1);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('answers problem+json 400 naming the field for bad bodies, ids, headers and cursors, and never a 5xx', async () => {
    const from = nogi.sandbox.getCalls().length;
    const cases: Array<[string, string, { body?: unknown; headers?: Record<string, string> }, string]> = [
      ['POST', '/v1/consents', { body: { nationalId: '12345678901', purpose: 'presentation', durationDays: 30 } }, 'nationalId'],
      ['POST', '/v1/consents', { body: { nationalId: PERSON_WITH_DEBT, purpose: 'marketing', durationDays: 30 } }, 'purpose'],
      ['POST', '/v1/consents', { body: { nationalId: PERSON_WITH_DEBT, purpose: 'processing', durationDays: 29 } }, 'durationDays'],
      ['POST', '/v1/consents', { body: { nationalId: PERSON_WITH_DEBT, purpose: 'presentation', durationDays: 1.5 } }, 'durationDays'],
      ['POST', '/v1/consents', { body: { nationalId: PERSON_WITH_DEBT, purpose: 'presentation', durationDays: '30' } }, 'durationDays'],
      ['POST', '/v1/consents', { body: { nationalId: PERSON_WITH_DEBT, purpose: 'presentation', durationDays: 30, extra: 1 } }, 'extra'],
      ['POST', '/v1/consents', { body: { nationalId: PERSON_WITH_DEBT, purpose: 'presentation', durationDays: 30, clientConsentId: 'has space' } }, 'clientConsentId'],
      ['POST', '/v1/consents', { body: { nationalId: PERSON_WITH_DEBT, purpose: 'presentation', durationDays: 30 }, headers: { 'idempotency-key': 'with space' } }, 'Idempotency-Key'],
      ['GET', '/v1/consents/not-a-uuid', {}, 'id'],
      ['GET', '/v1/consents/..%2F..%2Fv1%2Fdebt/debt', {}, 'id'],
      ['DELETE', '/v1/consents/123', {}, 'id'],
      ['GET', '/v1/consents?limit=0', { headers: { 'x-national-id': PERSON_WITH_DEBT } }, 'limit'],
      ['GET', '/v1/consents?status=gone', { headers: { 'x-national-id': PERSON_WITH_DEBT } }, 'status'],
      ['GET', '/v1/consents?cursor=bm9wZQ', { headers: { 'x-national-id': PERSON_WITH_DEBT } }, 'cursor'],
      ['GET', '/v1/consents', { headers: { 'x-national-id': '1234' } }, 'X-National-Id'],
      // A national id never travels in a URL.
      ['GET', `/v1/consents?nationalId=${PERSON_WITH_DEBT}`, {}, 'nationalId'],
    ];
    for (const [method, path, options, field] of cases) {
      const res = await api(app, method, path, { token: admin, ...options });
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
      expect(JSON.stringify(res.json)).not.toContain(PERSON_WITH_DEBT);
    }
    const malformed = await api(app, 'POST', '/v1/consents', { token: admin, body: '{"nationalId":' });
    expect(malformed.status).toBe(400);
    expect((await api(app, 'GET', `/v1/consents/${randomUUID()}`, { token: admin })).status).toBe(404);
    expect(callsSince(from).filter((c) => c.endpoint !== 'discovery')).toEqual([]);
  });

  it('maps NoGi’s refusals and outages to our problems without passing their bodies on', async () => {
    nogi.sandbox.injectFault({ endpoint: 'agreement', kind: 'status', status: 500 });
    try {
      const down = await register(freshNationalId());
      expect(down.status).toBe(503);
      expect(down.json.code).toBe('NOGI_UNAVAILABLE');
      expect(JSON.stringify(down.json)).not.toContain('Internal Server Error');
      expect(JSON.stringify(down.json)).not.toContain(nogi.url);
    } finally {
      nogi.sandbox.clearFaults();
    }
    nogi.sandbox.injectFault({ endpoint: 'agreement', kind: 'status', status: 400, times: 1 });
    const rejected = await register(freshNationalId());
    expect(rejected.status).toBe(422);
    expect(rejected.json.code).toBe('CONSENT_REJECTED');
  });

  it('writes no national id, NoGi token or client secret to the logs', () => {
    const logs = app.logs.join('\n');
    expect(logs).not.toContain(PERSON_WITH_DEBT);
    expect(logs).not.toContain(TEST_CLIENT.secret);
    expect(logs).not.toMatch(/Bearer [A-Za-z0-9_-]{20,}/);
  });
});
