import { connect } from 'node:net';
import { request } from 'undici';
import { BODY_LIMIT_BYTES } from '../../src/app.factory';
import { PERSON_WITH_DEBT } from '../support/national-ids';
import { startTestApp, TEST_RETURN_ORIGIN, TestApp } from '../support/test-app';

/** Bad input gets a clear 4xx problem+json naming the field — never a 5xx. */
describe('bad requests', () => {
  let app: TestApp;
  let token: string;

  beforeAll(async () => {
    app = await startTestApp();
    token = await app.issuer.service(['consent:write', 'consent:read']);
  });
  afterAll(() => app?.close());

  async function post(body: string, contentType = 'application/json') {
    const res = await request(`${app.url}/v1/consent-flows`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': contentType }, body });
    const text = await res.body.text();
    return { status: res.statusCode, contentType: String(res.headers['content-type']), json: JSON.parse(text) as Record<string, unknown>, text };
  }

  it('answers malformed JSON with 400 MALFORMED_BODY', async () => {
    const res = await post('{"nationalId": "1484224909');
    expect(res.status).toBe(400);
    expect(res.contentType).toContain('application/problem+json');
    expect(res.json).toMatchObject({ code: 'MALFORMED_BODY', status: 400, type: expect.stringContaining('malformed-body'), requestId: expect.any(String) });
    expect(res.text).not.toContain('1484224909');
  });

  it('answers unknown fields with 400 naming each one', async () => {
    const res = await post(JSON.stringify({ nationalId: PERSON_WITH_DEBT, purpose: 'presentation', returnUrl: `${TEST_RETURN_ORIGIN}/`, admin: true }));
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'admin', message: expect.stringContaining('should not exist') }] });
  });

  it('answers an oversized body with 413', async () => {
    const res = await post(JSON.stringify({ nationalId: PERSON_WITH_DEBT, purpose: 'presentation', returnUrl: `${TEST_RETURN_ORIGIN}/${'x'.repeat(BODY_LIMIT_BYTES)}` }));
    expect(res.status).toBe(413);
    expect(res.json).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it('answers another media type with 415', async () => {
    const res = await post('nationalId=14842249091', 'application/x-www-form-urlencoded');
    expect(res.status).toBe(415);
    expect(res.json).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
  });

  it('answers a wrong type with 400 naming the field', async () => {
    const res = await post(JSON.stringify({ nationalId: 14842249091, purpose: ['presentation'], durationDays: '30', returnUrl: 5 }));
    expect(res.status).toBe(400);
    expect((res.json.errors as Array<{ field: string }>).map((e) => e.field).sort()).toEqual(['durationDays', 'nationalId', 'purpose', 'returnUrl']);
  });

  it('answers null for an optional field with 400 naming the field, not 500', async () => {
    const res = await post(JSON.stringify({ nationalId: null, purpose: 'presentation', returnUrl: `${TEST_RETURN_ORIGIN}/` }));
    expect(res.status).toBe(400);
    expect(res.contentType).toContain('application/problem+json');
    expect(res.json).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'nationalId', message: expect.any(String) }] });
  });

  it('answers headers over 16 KiB with a 431 problem, before any route runs', async () => {
    const { port } = new URL(app.url);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.write(`GET /v1/consents HTTP/1.1\r\nHost: x\r\nX-Padding: ${'a'.repeat(20_000)}\r\n\r\n`));
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 431 /);
    expect(raw).toContain('content-type: application/problem+json'.replace('content-type', 'Content-Type'));
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 431, code: 'HEADERS_TOO_LARGE' });
  });

  it('answers an unknown route with a 404 problem and every /v1 answer with Cache-Control: no-store and a request id', async () => {
    const res = await request(`${app.url}/v1/nothing-here`, { headers: { authorization: `Bearer ${token}`, 'x-request-id': 'trace-12345678' } });
    expect(res.statusCode).toBe(404);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-request-id']).toBe('trace-12345678');
    expect(await res.body.json()).toMatchObject({ code: 'NOT_FOUND', requestId: 'trace-12345678' });
  });
});
