import { getMetadataStorage } from 'class-validator';
import fc from 'fast-check';
import { Client } from 'pg';
import { StartConsentFlowRequestDto } from '../../src/consent-flow/consent-flow.dto';
import { GetConsentQueryDto, ListConsentsQueryDto, RegisterConsentRequestDto } from '../../src/consents/consent.dto';
import { type StartedNogiSandbox } from '../../src/providers/nogi/sandbox';
import { isolatedDatabase, startReadyApp, startSandbox } from '../consents/consents.helpers';
import { freshNationalId, PERSON_WITH_DEBT } from '../support/national-ids';
import { TEST_RETURN_ORIGIN, type TestApp } from '../support/test-app';

const RUNS = 100;

/**
 * Generated bodies, query strings and headers against every route of the contract, with a valid
 * token (and variants of it): never a 5xx (a fault-free sandbox NoGi gives no reason for 502/503/504),
 * always problem+json on a 4xx, and a rejected mutating request changes no record, here or at NoGi.
 */
describe('Fuzz: every route with generated input', () => {
  let db: { url: string; drop(): Promise<void> };
  let nogi: StartedNogiSandbox;
  let app: TestApp;
  let sql: Client;
  let token: string;
  let consentId: string;
  let flowId: string;

  beforeAll(async () => {
    db = await isolatedDatabase();
    nogi = await startSandbox();
    app = await startReadyApp({ nogiUrl: nogi.url, env: { DATABASE_URL: db.url } });
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    token = await app.issuer.service(['consent:write', 'consent:read', 'debt:read', 'consent:admin']);
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const consent = await fetch(`${app.url}/v1/consents`, { method: 'POST', headers: auth, body: JSON.stringify({ nationalId: PERSON_WITH_DEBT, purpose: 'presentation', durationDays: 30 }) });
    consentId = ((await consent.json()) as { id: string }).id;
    const flow = await fetch(`${app.url}/v1/consent-flows`, { method: 'POST', headers: auth, body: JSON.stringify({ nationalId: PERSON_WITH_DEBT, purpose: 'presentation', returnUrl: `${TEST_RETURN_ORIGIN}/x` }) });
    flowId = ((await flow.json()) as { id: string }).id;
  });
  afterAll(async () => {
    await app.close();
    await sql.end();
    await nogi.close();
    await db.drop();
  });

  const nasty = fc.oneof(
    fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', '', ' ', '0', '-1', '1e309', 'null', 'true', '../../etc/passwd', '%00', '<script>', '\u202e', '😀'),
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.string({ minLength: 5000, maxLength: 20_000 }),
  );
  // URL and header values stay under Node's 16 KB header limit together: beyond it Node's parser
  // answers 431 before Fastify or Nest see the request, with Fastify's plain JSON body (a known gap,
  // reported, outside the routes under test here).
  const urlText = fc.oneof(fc.constantFrom('__proto__', 'constructor', '', '%00', '\u202e', '😀', '-1', '1e309'), fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ minLength: 500, maxLength: 1500 }));
  const headerText = fc
    .oneof(fc.constantFrom('', '14842249091', '14842249092', '00000000000', '__proto__', 'constructor', ' 14842249091 '), fc.string({ maxLength: 60 }), fc.string({ minLength: 2000, maxLength: 5000 }))
    .filter((s) => /^[\x20-\x7e]*$/.test(s));
  const nationalId = fc.oneof(fc.constant(PERSON_WITH_DEBT), fc.constant(freshNationalId()), nasty, fc.integer(), fc.constant(null));
  const jsonValue = fc.oneof(nasty, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(nasty, { maxLength: 3 }), fc.dictionary(nasty, nasty, { maxKeys: 3 }));
  const body = fc.oneof(
    fc.record(
      {
        nationalId,
        purpose: fc.oneof(fc.constantFrom('presentation', 'processing', 'PRESENTATION'), nasty, fc.constant(null)),
        durationDays: fc.oneof(fc.integer({ min: -5, max: 400 }), fc.double(), nasty, fc.constant(null)),
        returnUrl: fc.oneof(fc.constant(`${TEST_RETURN_ORIGIN}/ok`), fc.webUrl(), nasty, fc.constant(null)),
        clientConsentId: fc.oneof(nasty, fc.constant(null)),
        __proto__: jsonValue,
        constructor: jsonValue,
      },
      { requiredKeys: [] },
    ),
    fc.dictionary(nasty, jsonValue, { maxKeys: 5 }),
    jsonValue,
  );
  const rawBody = fc.oneof(
    body.map((b) => JSON.stringify(b)),
    fc.constantFrom('{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"x":1}}}', '{', '', 'null', '[]', '{"a":1}garbage'),
  );
  const authorization = fc.oneof(
    fc.constant<string | undefined>(undefined),
    fc.constantFrom('valid', 'valid', 'valid', 'lower', 'basic', 'garbage', 'empty', 'tampered'),
  );
  const authHeader = (kind: string | undefined): Record<string, string> => {
    switch (kind) {
      case undefined:
        return {};
      case 'valid':
        return { authorization: `Bearer ${token}` };
      case 'lower':
        return { authorization: `bearer ${token}` };
      case 'basic':
        return { authorization: 'Basic dXNlcjpwYXNz' };
      case 'empty':
        return { authorization: '' };
      case 'tampered':
        return { authorization: `Bearer ${token.slice(0, -4)}AAAA` };
      default:
        return { authorization: 'Bearer not.a.jwt' };
    }
  };
  const pathId = fc.oneof(fc.constant('CONSENT'), fc.constant('FLOW'), fc.uuid(), urlText.map((s) => encodeURIComponent(s)));
  const query = fc.dictionary(fc.oneof(fc.constantFrom('status', 'purpose', 'limit', 'cursor', 'refresh', 'code', 'state', 'error', 'scope', '__proto__'), urlText), urlText, { maxKeys: 3 });

  const snapshot = async () => {
    const rows = await sql.query(`SELECT id, status, updated_at, revoked_at FROM consent ORDER BY id`);
    return { rows: JSON.stringify(rows.rows), nogiCalls: nogi.sandbox.getCalls().filter((c) => ['agreement', 'revoke'].includes(c.endpoint)).length };
  };

  const send = async (method: string, path: string, headers: Record<string, string>, payload?: string) => {
    const res = await fetch(`${app.url}${path}`, { method, headers, body: payload, redirect: 'manual', signal: AbortSignal.timeout(5000) });
    const text = await res.text();
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', text };
  };

  const check = (r: { status: number; contentType: string; text: string }) => {
    expect(r.status).toBeLessThan(500);
    if (r.status >= 400) expect(`${r.status} ${r.contentType} ${r.text.slice(0, 200)}`).toContain('application/problem+json');
    expect(r.text).not.toContain(PERSON_WITH_DEBT);
  };

  const resolveId = (id: string) => (id === 'CONSENT' ? consentId : id === 'FLOW' ? flowId : id);
  const qs = (q: Record<string, string>) => {
    const s = new URLSearchParams(q).toString();
    return s ? `?${s}` : '';
  };

  const mutating = async (method: string, path: string, headers: Record<string, string>, payload?: string) => {
    const before = await snapshot();
    const r = await send(method, path, headers, payload);
    check(r);
    if (r.status >= 400) expect(await snapshot()).toEqual(before);
  };

  it('POST /v1/consent-flows and POST /v1/consents', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/v1/consent-flows', '/v1/consents'), rawBody, authorization, headerText, headerText, fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded'), async (path, payload, auth, nid, key, type) =>
        mutating('POST', path, { ...authHeader(auth), 'content-type': type, 'x-national-id': nid, ...(key ? { 'idempotency-key': key } : {}) }, payload),
      ),
      { numRuns: RUNS * 2, endOnFailure: true },
    );
  });

  it('GET routes: flows, flow debt, callback, consents list, consent, consent debt', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/v1/consent-flows/{id}', '/v1/consent-flows/{id}/debt', '/v1/consent-flows/callback', '/v1/consents', '/v1/consents/{id}', '/v1/consents/{id}/debt'),
        pathId,
        query,
        authorization,
        headerText,
        fc.constantFrom('application/json', 'text/html'),
        async (template, id, q, auth, nid, accept) => {
          const path = template.replace('{id}', resolveId(id)) + qs(q);
          const r = await send('GET', path, { ...authHeader(auth), 'x-national-id': nid, accept });
          // The callback is opened by a browser: for Accept: text/html its errors are an HTML page (contract).
          if (template.endsWith('/callback') && accept === 'text/html' && r.status >= 400 && r.status < 500) {
            expect(r.contentType).toContain('text/html');
            expect(r.status).toBe(400);
            return;
          }
          check(r);
        },
      ),
      { numRuns: RUNS * 3, endOnFailure: true },
    );
  });

  /** Every property a request DTO validates: a field added later is covered without touching this test. */
  const fieldsOf = (dto: new () => object) => [...new Set(getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false).map((m) => m.propertyName))].sort();
  const subsets = <T>(items: T[]): T[][] => items.reduce<T[][]>((all, item) => [...all, ...all.map((s) => [...s, item])], [[]]).filter((s) => s.length > 0);
  const problemFields = (r: { text: string }) => ((JSON.parse(r.text) as { errors?: Array<{ field: string }> }).errors ?? []).map((e) => e.field);

  it('null in any field of any body, alone or with others, is a 400 naming each such field (service and customer tokens)', async () => {
    const customer = await app.issuer.customer(PERSON_WITH_DEBT, ['consent:write']);
    const bodies = [
      { path: '/v1/consent-flows', dto: StartConsentFlowRequestDto, valid: { dataset: 'debt', nationalId: PERSON_WITH_DEBT, purpose: 'presentation', durationDays: 30, returnUrl: `${TEST_RETURN_ORIGIN}/ok` } },
      { path: '/v1/consent-flows', dto: StartConsentFlowRequestDto, valid: { dataset: 'income', purpose: 'processing', fromMonth: '2026-01', toMonth: '2026-06', message: 'Lånesøknad', returnUrl: `${TEST_RETURN_ORIGIN}/ok` } },
      { path: '/v1/consent-flows', dto: StartConsentFlowRequestDto, valid: { dataset: 'tax-assessment', incomeYear: 2025, returnUrl: `${TEST_RETURN_ORIGIN}/ok` } },
      { path: '/v1/consents', dto: RegisterConsentRequestDto, valid: { dataset: 'debt', nationalId: PERSON_WITH_DEBT, purpose: 'presentation', durationDays: 30, clientConsentId: 'fuzz-null' } },
    ];
    // Together the bodies name every field each DTO validates.
    for (const dto of new Set(bodies.map((b) => b.dto))) {
      expect([...new Set(bodies.filter((b) => b.dto === dto).flatMap((b) => Object.keys(b.valid)))].sort()).toEqual(fieldsOf(dto));
    }
    for (const { path, valid } of bodies) {
      for (const nulled of subsets(Object.keys(valid))) {
        for (const bearer of [token, customer]) {
          const payload = JSON.stringify({ ...valid, ...Object.fromEntries(nulled.map((f) => [f, null])) });
          const before = await snapshot();
          const r = await send('POST', path, { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', 'idempotency-key': `null-${nulled.join('-')}` }, payload);
          expect(`${path} ${payload} -> ${r.status} ${r.contentType.split(';')[0]}`).toBe(`${path} ${payload} -> 400 application/problem+json`);
          expect(problemFields(r).sort()).toEqual([...nulled].sort());
          expect(await snapshot()).toEqual(before);
        }
      }
    }
  });

  it('a query field without a value (the nearest a query has to null) is a 400 naming it', async () => {
    const queries = [
      { path: '/v1/consents', dto: ListConsentsQueryDto },
      { path: `/v1/consents/${consentId}`, dto: GetConsentQueryDto },
    ];
    for (const { path, dto } of queries) {
      const fields = fieldsOf(dto);
      expect(fields.length).toBeGreaterThan(0);
      for (const form of ['', '=', '=null']) {
        for (const nulled of [...fields.map((f) => [f]), fields]) {
          const r = await send('GET', `${path}?${nulled.map((f) => `${f}${form}`).join('&')}`, { authorization: `Bearer ${token}` });
          expect(`${path} ${nulled.join(',')}${form} -> ${r.status} ${r.contentType.split(';')[0]}`).toBe(`${path} ${nulled.join(',')}${form} -> 400 application/problem+json`);
          expect(problemFields(r).sort()).toEqual([...nulled].sort());
        }
      }
    }
    // The callback's query is NoGi's, read by its guard: no value is a 4xx problem there too, never a 5xx.
    for (const field of ['state', 'code', 'scope', 'error', 'error_description']) {
      for (const form of ['', '=', '=null']) check(await send('GET', `/v1/consent-flows/callback?${field}${form}`, { accept: 'application/json' }));
    }
  });

  it('DELETE /v1/consents/{id}', async () => {
    await fc.assert(
      fc.asyncProperty(pathId.filter((id) => id !== 'CONSENT'), authorization, headerText, async (id, auth, nid) =>
        mutating('DELETE', `/v1/consents/${resolveId(id)}`, { ...authHeader(auth), 'x-national-id': nid }),
      ),
      { numRuns: RUNS, endOnFailure: true },
    );
    // The consent used by the GET properties is still active: no rejected request touched it.
    const row = await sql.query('SELECT status FROM consent WHERE id = $1', [consentId]);
    expect(row.rows[0].status).toBe('active');
  });
});
