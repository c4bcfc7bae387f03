import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type StartedNogiSandbox } from '../../src/providers/nogi/sandbox';
import { isolatedDatabase, NOGI_REDIRECT, startSandbox } from '../consents/consents.helpers';
import { freePort } from '../support/free-port';
import { PERSON_WITH_DEBT } from '../support/national-ids';
import { eventually } from '../support/tcp-proxy';
import { TEST_CLIENT, TEST_HMAC_KEY, TEST_RETURN_ORIGIN } from '../support/test-app';
import { TEST_REDIS_URL } from '../support/test-env';
import { TestIssuer } from '../support/test-issuer';

const MAIN = join(__dirname, '..', '..', 'dist', 'main.js');
const NOGI_LATENCY_MS = 1500;

/**
 * The built service (`node dist/main.js`, production mode) gets SIGTERM while slow requests are in
 * flight (NoGi answering in 1.5 s): readiness turns 503, every in-flight request still gets its
 * answer (no socket hang-up), and the process exits 0; a drain longer than SHUTDOWN_DRAIN_SECONDS
 * is cut short.
 */
describe('Resilience: SIGTERM during load drains in-flight requests', () => {
  let db: { url: string; drop(): Promise<void> };
  let nogi: StartedNogiSandbox;
  let issuer: TestIssuer;
  let child: ChildProcess | undefined;
  let output = '';

  /** `node dist/main.js` in production mode against the test database, Redis and sandbox NoGi; ready to serve. */
  async function startService(env: Record<string, string> = {}): Promise<{ url: string; exited: Promise<number | null>; headers: Record<string, string>; consentId: string }> {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    output = '';
    child = fork(MAIN, [], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        NOGI_ENV: 'preprod',
        PORT: String(port),
        DATABASE_URL: db.url,
        REDIS_URL: TEST_REDIS_URL,
        NOGI_ISSUER: nogi.url,
        NOGI_API_URL: nogi.url,
        NOGI_CLIENT_ID: TEST_CLIENT.id,
        NOGI_CLIENT_SECRET: TEST_CLIENT.secret,
        NOGI_REDIRECT_URI: NOGI_REDIRECT,
        NOGI_TIMEOUT_MS: '5000',
        RETURN_URL_ALLOWLIST: TEST_RETURN_ORIGIN,
        DATA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        NATIONAL_ID_HMAC_KEY: TEST_HMAC_KEY,
        FEED_POLL_INTERVAL_SECONDS: '0',
        ...issuer.env,
        ...env,
      },
    });
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    const running = child;
    const exited = new Promise<number | null>((resolve) => running.once('exit', (code) => resolve(code)));

    await eventually(() => fetch(`${url}/health/ready`).then((r) => r.status, () => 0), (s) => s === 200, 20_000);
    const token = await issuer.service(['consent:write', 'debt:read']);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const created = await fetch(`${url}/v1/consents`, { method: 'POST', headers, body: JSON.stringify({ nationalId: PERSON_WITH_DEBT, purpose: 'presentation', durationDays: 30 }) });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    return { url, exited, headers, consentId: id };
  }

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error('dist/main.js is missing: run `npx nest build` (npm test builds first)');
    db = await isolatedDatabase();
    nogi = await startSandbox();
    issuer = await TestIssuer.start();
  });
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await issuer.close();
    await nogi.close();
    await db.drop();
  });

  afterEach(() => {
    nogi.sandbox.clearFaults();
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('answers every in-flight request and exits 0', async () => {
    const { url, exited, headers, consentId: id } = await startService();
    nogi.sandbox.injectFault({ endpoint: 'debtById', kind: 'latency', latencyMs: NOGI_LATENCY_MS });
    const inFlight = Array.from({ length: 12 }, () =>
      fetch(`${url}/v1/consents/${id}/debt`, { headers }).then(
        async (r) => ({ status: r.status, body: await r.text() }),
        (error: Error) => ({ status: 0, body: `${error.message} ${String((error.cause as Error | undefined)?.message ?? '')}` }),
      ),
    );
    await eventually(async () => nogi.sandbox.getCalls('debtById').filter((c) => c.status === undefined).length, (n) => n >= 12, 5000);
    child!.kill('SIGTERM');

    const answers = await Promise.all(inFlight);
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    const code = await exited;
    if (code !== 0) process.stderr.write(output.split('\n').filter((l) => !l.includes('request completed')).slice(-15).join('\n'));
    expect(code).toBe(0);
    expect(output).toContain('SIGTERM handled');
  }, 30_000);

  it('gives up draining after SHUTDOWN_DRAIN_SECONDS and exits 1', async () => {
    const { url, exited, headers, consentId } = await startService({ SHUTDOWN_DRAIN_SECONDS: '1' });
    nogi.sandbox.injectFault({ endpoint: 'debtById', kind: 'latency', latencyMs: 4000 });
    const inFlight = fetch(`${url}/v1/consents/${consentId}/debt`, { headers }).then((r) => r.status, () => 0);
    await eventually(async () => nogi.sandbox.getCalls('debtById').filter((c) => c.status === undefined).length, (n) => n >= 1, 5000);
    child!.kill('SIGTERM');
    // Under the old hard-coded 20 s the 4 s request drained and the process exited 0.
    expect(await exited).toBe(1);
    expect(output).toContain('drain took longer than 1 s (SHUTDOWN_DRAIN_SECONDS)');
    expect(await inFlight).toBe(0);
  }, 30_000);
});
