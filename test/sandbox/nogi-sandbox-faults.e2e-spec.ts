import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { request } from 'undici';
import type { StartedNogiSandbox } from '../../src/providers/nogi/sandbox/nogi-sandbox.server';
import {
  authUrl,
  bearer,
  CLIENT,
  clientCredentials,
  consentFlow,
  debtToken,
  defaultAuthParams,
  feedToken,
  formFields,
  http,
  PERSON_WITH_DEBT,
  startTestSandbox,
} from './nogi-sandbox.helpers';

describe('NoGi sandbox fault injection, call log and control routes', () => {
  let s: StartedNogiSandbox;
  let base: string;

  beforeAll(async () => {
    s = await startTestSandbox();
    base = s.url;
  });
  afterAll(() => s.close());
  beforeEach(() => s.sandbox.reset());

  const token = () => clientCredentials(base, '/v1/debt', 'debt.unsecured.presentation');

  it('delays answers with a latency fault, then answers normally', async () => {
    s.sandbox.injectFault({ endpoint: 'token', kind: 'latency', latencyMs: 300, times: 1 });
    const started = Date.now();
    const slow = await token();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(slow.status).toBe(200);
    const again = Date.now();
    await token();
    expect(Date.now() - again).toBeLessThan(250);
  });

  it('lets its process exit once closed while a latency fault is still waiting', async () => {
    // In a process of its own, from the build: a latency wait that outlived its closed simulator
    // held the process open (Jest's "worker process has failed to exit gracefully").
    const script = `
      const { startNogiSandbox } = require(${JSON.stringify(join(__dirname, '..', '..', 'dist', 'providers', 'nogi', 'sandbox'))});
      (async () => {
        const s = await startNogiSandbox({ port: 0, clients: [{ clientId: 'c', clientSecret: 's', redirectUris: ['http://127.0.0.1:9/cb'] }] });
        s.sandbox.injectFault({ endpoint: 'discovery', kind: 'latency', latencyMs: 30000 });
        void fetch(s.url + '/.well-known/openid-configuration').then((r) => r.text(), () => undefined);
        while (s.sandbox.getCalls('discovery').length === 0) await new Promise((r) => setTimeout(r, 20));
        await s.close();
        process.stdout.write('closed\\n');
      })();`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let closedAt = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('closed')) closedAt = Date.now();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    expect(closedAt).toBeGreaterThan(0);
    // Without the unref'd wait the process lived on for the fault's 30 s.
    expect(Date.now() - closedAt).toBeLessThan(5000);
  }, 40_000);

  it('fails the next N calls with 500 or 503 in each API’s own error shape', async () => {
    s.sandbox.injectFault({ endpoint: 'token', kind: 'status', status: 503, times: 2 });
    expect((await token()).status).toBe(503);
    const second = await token();
    expect(second.json).toEqual({ error: 'server_error', error_description: expect.any(String) });
    expect((await token()).status).toBe(200);

    const cc = await debtToken(base);
    s.sandbox.injectFault({ endpoint: 'status', kind: 'status', status: 500 });
    for (let i = 0; i < 3; i++) {
      const res = await http('GET', `${base}/v1/debt/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}/status`, { headers: bearer(cc) });
      expect(res.status).toBe(500);
      expect(res.json).toMatchObject({ error: 'server error', error_description: 'An unexpected server error occurred' });
    }
    s.sandbox.clearFaults();
    expect((await http('GET', `${base}/v1/debt/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}/status`, { headers: bearer(cc) })).status).toBe(200);

    s.sandbox.injectFault({ endpoint: 'feed', kind: 'status', status: 503, times: 1 });
    const feed = await http('GET', `${base}/feed/v1/consent/lastSequenceNr`, { headers: bearer(await feedToken(base)) });
    expect(feed.status).toBe(503);
    expect(feed.json).toMatchObject({ status: 503, error: 'Service Unavailable', requestId: expect.any(String) });
  });

  it('applies a * fault to every NoGi endpoint', async () => {
    s.sandbox.injectFault({ endpoint: '*', kind: 'status', status: 500, times: 2 });
    expect((await token()).status).toBe(500);
    expect((await http('GET', `${base}/v1/debt`)).status).toBe(500);
    expect((await token()).status).toBe(200);
  });

  it('hangs without an answer on a timeout fault until the client gives up', async () => {
    s.sandbox.injectFault({ endpoint: 'debt', kind: 'timeout', times: 1 });
    const started = Date.now();
    await expect(request(`${base}/v1/debt`, { headersTimeout: 400 })).rejects.toMatchObject({ code: 'UND_ERR_HEADERS_TIMEOUT' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    expect((await http('GET', `${base}/v1/debt`)).status).toBe(403);
  });

  it('still closes while a timeout fault holds a request open', async () => {
    const other = await startTestSandbox();
    other.sandbox.injectFault({ endpoint: 'feed', kind: 'timeout' });
    const pending = request(`${other.url}/feed/v1/consent/lastSequenceNr`);
    await new Promise((r) => setTimeout(r, 100));
    await other.close();
    await expect(pending).rejects.toThrow();
  });

  it('drops the connection without a response on a reset fault', async () => {
    s.sandbox.injectFault({ endpoint: 'token', kind: 'reset', times: 1 });
    await expect(token()).rejects.toThrow();
    expect((await token()).status).toBe(200);
  });

  it('turns an auth fault into a redirect with error=server_error, before and after the consent page', async () => {
    s.sandbox.injectFault({ endpoint: 'auth', kind: 'status', status: 500, times: 1 });
    const params = defaultAuthParams();
    const first = await http('GET', authUrl(base, params));
    expect(first.status).toBe(302);
    const loc = new URL(first.headers.location as string);
    expect(loc.searchParams.get('error')).toBe('server_error');
    expect(loc.searchParams.get('state')).toBe(params.state);

    const page = await http('GET', authUrl(base, params));
    const { action, challenge } = formFields(page.text);
    s.sandbox.injectFault({ endpoint: 'auth', kind: 'status', status: 503, times: 1 });
    const submit = await http('POST', action, { form: { consent_challenge: challenge, nationalId: PERSON_WITH_DEBT, decision: 'approve' } });
    expect(submit.status).toBe(303);
    expect(new URL(submit.headers.location as string).searchParams.get('error')).toBe('server_error');
    expect(s.sandbox.listConsents()).toEqual([]);

    // Unknown client: nowhere safe to redirect, so an HTML error page.
    s.sandbox.injectFault({ endpoint: 'auth', kind: 'status', status: 500, times: 1 });
    const unknown = await http('GET', authUrl(base, defaultAuthParams({ client_id: 'nobody' })));
    expect(unknown.status).toBe(500);
    expect(unknown.headers.location).toBeUndefined();
  });

  it('logs every call with endpoint, auth scheme, Basic client id and parsed body, never the secret', async () => {
    const { location } = await consentFlow(base, { params: { scope: 'debt.unsecured.presentation.10' } });
    const code = location.searchParams.get('code')!;
    const ex = await http('POST', `${base}/oauth2/token`, {
      headers: { authorization: `Basic ${Buffer.from(`${encodeURIComponent(CLIENT.clientId)}:${encodeURIComponent(CLIENT.clientSecret)}`).toString('base64')}` },
      form: { grant_type: 'authorization_code', code, redirect_uri: location.origin + location.pathname, client_id: CLIENT.clientId },
    });
    await http('GET', `${base}/v1/debt`, { headers: { ...bearer(ex.json.access_token), 'x-trace-id': 'abc-123' } });

    const calls = s.sandbox.getCalls();
    expect(calls.map((c) => c.endpoint)).toEqual(['auth', 'auth', 'token', 'debt']);
    const [authGet, authPost, tokenCall, debtCall] = calls;
    expect(authGet).toMatchObject({ method: 'GET', path: '/oauth2/auth', query: { client_id: CLIENT.clientId, scope: 'debt.unsecured.presentation.10' }, status: 200 });
    expect(authPost).toMatchObject({ method: 'POST', body: { decision: 'approve', nationalId: PERSON_WITH_DEBT }, status: 303 });
    expect(tokenCall.headers).toMatchObject({ authorization: 'Basic', basicClientId: CLIENT.clientId, contentType: 'application/x-www-form-urlencoded' });
    expect(tokenCall.body).toMatchObject({ grant_type: 'authorization_code', code });
    expect(debtCall.headers).toMatchObject({ authorization: 'Bearer', traceId: 'abc-123' });
    expect(debtCall.status).toBe(200);
    expect(JSON.stringify(calls)).not.toContain(CLIENT.clientSecret);
    expect(JSON.stringify(calls)).not.toContain(ex.json.access_token);

    await http('POST', `${base}/oauth2/token`, { form: { grant_type: 'client_credentials', client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret } });
    expect(s.sandbox.getCalls('token').pop()!.body).toMatchObject({ client_secret: '[redacted]' });
    s.sandbox.clearCalls();
    expect(s.sandbox.getCalls()).toEqual([]);
  });

  it('offers the same control surface over HTTP under /_sandbox', async () => {
    const ctl = `${base}/_sandbox`;
    const fault = await http('POST', `${ctl}/faults`, { json: { endpoint: 'token', kind: 'status', status: 503, times: 1 } });
    expect(fault.status).toBe(201);
    expect(fault.json).toMatchObject({ id: expect.any(String), endpoint: 'token', kind: 'status', status: 503, times: 1, remaining: 1 });
    expect((await http('GET', `${ctl}/faults`)).json).toHaveLength(1);
    expect((await token()).status).toBe(503);
    expect((await http('GET', `${ctl}/faults`)).json).toEqual([]);
    expect((await http('POST', `${ctl}/faults`, { json: { endpoint: 'nope', kind: 'status' } })).status).toBe(400);
    await http('POST', `${ctl}/faults`, { json: { endpoint: 'debt', kind: 'latency', latencyMs: 5 } });
    expect((await http('DELETE', `${ctl}/faults`)).status).toBe(204);
    expect((await http('GET', `${ctl}/faults`)).json).toEqual([]);

    const created = await http('POST', `${ctl}/consents`, { json: { clientId: CLIENT.clientId, nationalId: PERSON_WITH_DEBT, scope: 'debt.unsecured.presentation', durationDays: 30, externalConsentId: 'ext-1' } });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ id: expect.any(String), active: true, durationDays: 30, externalConsentId: 'ext-1', origin: 'control' });
    expect((await http('POST', `${ctl}/consents`, { json: { clientId: CLIENT.clientId, nationalId: '123', scope: 'debt.unsecured.presentation' } })).status).toBe(400);
    const listed = await http('GET', `${ctl}/consents?clientId=${encodeURIComponent(CLIENT.clientId)}`);
    expect(listed.json.map((c: any) => c.id)).toEqual([created.json.id]);

    const archived = await http('POST', `${ctl}/consents/${created.json.id}/archive`);
    expect(archived.json).toMatchObject({ active: false, revokedBy: 'person' });
    const second = await http('POST', `${ctl}/consents`, { json: { clientId: CLIENT.clientId, nationalId: PERSON_WITH_DEBT, scope: 'debt.unsecured.processing', durationDays: 28 } });
    expect((await http('POST', `${ctl}/consents/${second.json.id}/expire`)).json.active).toBe(false);
    expect((await http('POST', `${ctl}/consents/00000000-0000-4000-8000-000000000000/archive`)).status).toBe(404);

    const feed = await http('GET', `${base}/feed/v1/consent?fromSequenceNr=1&limit=10`, { headers: bearer(await feedToken(base)) });
    expect(feed.json.result.map((e: any) => e.eventType)).toEqual(['SAMTYKKE_OPPRETTET', 'SAMTYKKE_ARKIVERT', 'SAMTYKKE_OPPRETTET', 'SAMTYKKE_ARKIVERT']);

    const before = (await http('GET', `${ctl}/clock`)).json.now;
    const advanced = await http('POST', `${ctl}/clock/advance`, { json: { seconds: 8 * 86_400 } });
    expect(advanced.json.now - before).toBeGreaterThanOrEqual(8 * 86_400_000);
    // The window already dropped them when the clock moved; an explicit prune finds nothing left.
    expect((await http('POST', `${ctl}/feed/prune`, { json: {} })).json).toEqual({ removed: 0 });
    const empty = await http('GET', `${base}/feed/v1/consent?fromSequenceNr=1&limit=10`, { headers: bearer(await feedToken(base)) });
    expect(empty.json.result).toEqual([]);

    s.sandbox.createConsent({ clientId: CLIENT.clientId, nationalId: PERSON_WITH_DEBT, scope: 'debt.unsecured.presentation', durationDays: 1 });
    expect((await http('POST', `${ctl}/feed/prune`, { json: { windowMs: 0 } })).json.removed).toBeGreaterThanOrEqual(0);

    const calls = await http('GET', `${ctl}/calls?endpoint=feed`);
    expect(calls.json.length).toBe(2);
    expect(calls.json.every((c: any) => c.endpoint === 'feed')).toBe(true);
    // Control calls are not logged.
    expect((await http('GET', `${ctl}/calls`)).json.some((c: any) => c.path.startsWith('/_sandbox'))).toBe(false);
    expect((await http('DELETE', `${ctl}/calls`)).status).toBe(204);
    expect((await http('GET', `${ctl}/calls`)).json).toEqual([]);

    expect((await http('POST', `${ctl}/reset`)).status).toBe(204);
    expect((await http('GET', `${ctl}/consents`)).json).toEqual([]);
  });
});
