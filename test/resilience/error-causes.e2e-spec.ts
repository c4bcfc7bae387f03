import { StateStore } from '../../src/redis/state-store';
import { type StartedNogiSandbox } from '../../src/providers/nogi/sandbox';
import { api, startReadyApp, startSandbox } from '../consents/consents.helpers';
import { PERSON_WITH_DEBT } from '../support/national-ids';
import { eventually, TcpProxy } from '../support/tcp-proxy';
import { type TestApp } from '../support/test-app';
import { TEST_REDIS_URL } from '../support/test-env';

interface LogLine {
  level: number;
  msg?: string;
  requestId?: string;
  code?: string;
  upstream?: Record<string, unknown>;
  err?: { type?: string; message?: string; stack?: string };
}

/**
 * Each failure answers with the code of whoever failed — NoGi (NOGI_*), our own Redis or
 * PostgreSQL (DEPENDENCY_UNAVAILABLE), our own code (INTERNAL_ERROR) — and every 5xx leaves one
 * log line with its cause: the error chain and what NoGi did.
 */
describe('Resilience: failures answer with the right code and are logged with their cause', () => {
  let nogi: StartedNogiSandbox;
  let proxy: TcpProxy;
  let app: TestApp;
  let admin: string;

  beforeAll(async () => {
    const target = new URL(TEST_REDIS_URL);
    proxy = await TcpProxy.start(target.hostname, Number(target.port || 6379));
    nogi = await startSandbox();
    app = await startReadyApp({ nogiUrl: nogi.url, env: { REDIS_URL: `redis://127.0.0.1:${proxy.port}${target.pathname}` } });
    admin = await app.issuer.service(['consent:write', 'consent:read', 'debt:read', 'consent:admin']);
  });
  afterEach(() => nogi.sandbox.clearFaults());
  afterAll(async () => {
    await app.close();
    await proxy.close();
    await nogi.close();
  });

  const registerConsent = async () => {
    const r = await api(app, 'POST', '/v1/consents', { token: admin, body: { nationalId: PERSON_WITH_DEBT, purpose: 'presentation', durationDays: 30 } });
    expect(r.status).toBe(201);
    return r.json.id as string;
  };
  const readDebt = (id: string) => api(app, 'GET', `/v1/consents/${id}/debt`, { token: admin });
  /** The log line the problem filter wrote for one request. */
  const failureLogOf = (requestId: string): LogLine => {
    const lines = app.logs.map((l) => JSON.parse(l) as LogLine).filter((l) => l.requestId === requestId && l.msg?.startsWith('Request failed'));
    expect(lines).toHaveLength(1);
    const text = JSON.stringify(lines[0]);
    expect(text).not.toContain(admin);
    expect(text).not.toContain(PERSON_WITH_DEBT);
    return lines[0];
  };

  it('answers 503 DEPENDENCY_UNAVAILABLE, not a NoGi error, when Redis is away while the token cache is cold, and logs the cause', async () => {
    // Registering fetched the agreement token only: the debt token is not cached anywhere yet.
    const id = await registerConsent();
    proxy.cut();
    try {
      const r = await readDebt(id);
      expect(r.status).toBe(503);
      expect(r.json).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE' });
      expect(nogi.sandbox.getCalls('debtById')).toHaveLength(0);
      const line = failureLogOf(r.json.requestId);
      expect(line.level).toBe(40);
      expect(line.code).toBe('DEPENDENCY_UNAVAILABLE');
      expect(line.err).toMatchObject({ type: 'StateStoreUnavailableError', message: expect.stringContaining('state store is unavailable') });
      expect(line.err?.stack).toContain('nogi-token.client');
    } finally {
      proxy.restore();
      await eventually(
        () => app.app.get(StateStore).ping().then(() => true, () => false),
        (ok) => ok,
        10_000,
      );
    }
    expect((await readDebt(id)).status).toBe(200);
  });

  it('logs a NoGi 5xx with the status NoGi answered and the error chain', async () => {
    const id = await registerConsent();
    expect((await readDebt(id)).status).toBe(200);
    nogi.sandbox.injectFault({ endpoint: 'debtById', kind: 'status', status: 500, times: 3 });
    const r = await readDebt(id);
    expect(r.status).toBe(503);
    expect(r.json.code).toBe('NOGI_UNAVAILABLE');
    const line = failureLogOf(r.json.requestId);
    expect(line.level).toBe(40);
    expect(line.upstream).toEqual({ upstream: 'nogi', operation: 'debt.get_by_consent', status: 500 });
    expect(line.err?.type).toBe('AppError');
    expect(line.err?.stack).toContain('caused by: UpstreamStatusError: NoGi debt.get_by_consent: HTTP 500');
  });

  it('logs a NoGi timeout as such, with the transport error behind it', async () => {
    const id = await registerConsent();
    expect((await readDebt(id)).status).toBe(200);
    nogi.sandbox.injectFault({ endpoint: 'debtById', kind: 'timeout', times: 1 });
    const r = await readDebt(id);
    expect(r.status).toBe(504);
    expect(r.json.code).toBe('NOGI_TIMEOUT');
    const line = failureLogOf(r.json.requestId);
    expect(line.upstream).toEqual({ upstream: 'nogi', operation: 'debt.get_by_consent', failure: 'timeout' });
    expect(line.err?.stack).toContain('caused by: UpstreamTransportError: NoGi debt.get_by_consent: timeout');
  });
});
