import { createHash } from 'node:crypto';
import Redis from 'ioredis';
import { StateStore } from '../../src/redis/state-store';
import { type StartedNogiSandbox } from '../../src/providers/nogi/sandbox';
import { api, startReadyApp, startSandbox, type ApiResponse } from '../consents/consents.helpers';
import { freshNationalId } from '../support/national-ids';
import { eventually, TcpProxy } from '../support/tcp-proxy';
import { TEST_RETURN_ORIGIN, type TestApp } from '../support/test-app';
import { TEST_REDIS_URL } from '../support/test-env';
import { loadFor, timed, type Timed } from './resilience.helpers';

/**
 * Redis goes away under load and comes back (a TcpProxy in front of the machine's Redis is cut and
 * restored; the machine's Redis is never touched): requests during the outage answer 503
 * problem+json quickly, nothing is half written, and the same process serves again afterwards.
 */
describe('Resilience: Redis outage during load', () => {
  let nogi: StartedNogiSandbox;
  let proxy: TcpProxy;
  let app: TestApp;
  let redis: Redis;
  let token: string;

  beforeAll(async () => {
    const target = new URL(TEST_REDIS_URL);
    proxy = await TcpProxy.start(target.hostname, Number(target.port || 6379));
    nogi = await startSandbox();
    app = await startReadyApp({ nogiUrl: nogi.url, env: { REDIS_URL: `redis://127.0.0.1:${proxy.port}${target.pathname}` } });
    redis = new Redis(TEST_REDIS_URL);
    token = await app.issuer.service(['consent:write', 'consent:read']);
  });
  afterAll(async () => {
    await app.close();
    await proxy.close();
    await nogi.close();
    redis.disconnect();
  });

  const startFlow = (): Promise<Timed<ApiResponse>> =>
    timed(() => api(app, 'POST', '/v1/consent-flows', { token, body: { nationalId: freshNationalId(), purpose: 'presentation', returnUrl: `${TEST_RETURN_ORIGIN}/done` } }));

  const keysOf = async (pattern: string) => {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${app.redisKeyPrefix}${pattern}`, 'COUNT', 500);
      found.push(...keys);
      cursor = next;
    } while (cursor !== '0');
    return found;
  };

  it('answers 503 quickly while Redis is away, leaves no half-written flow, and recovers without a restart', async () => {
    const before = await loadFor(1000, 4, startFlow, 200);
    expect(before.map((r) => r.value.status)).toEqual(before.map(() => 201));

    proxy.cut();
    const during = await loadFor(3000, 4, startFlow, 400);
    // Requests that raced the cut may still have succeeded; everything else is a quick 503.
    const failed = during.filter((r) => r.value.status !== 201);
    expect(failed.length).toBeGreaterThan(0);
    for (const r of failed) {
      expect(r.value.status).toBe(503);
      expect(r.value.headers['content-type']).toContain('application/problem+json');
      expect(r.value.json.code).toBe('DEPENDENCY_UNAVAILABLE');
      // No hang: Redis commands fail fast (no offline queue, 2 s command and connect timeouts).
      expect(r.ms).toBeLessThan(3000);
    }
    const ready = await api(app, 'GET', '/health/ready');
    expect(ready.status).toBe(503);

    proxy.restore();
    await eventually(
      () => app.app.get(StateStore).ping().then(() => true, () => false),
      (ok) => ok,
      10_000,
    );
    const after = await loadFor(1000, 4, startFlow, 200);
    expect(after.map((r) => r.value.status)).toEqual(after.map(() => 201));
    expect((await api(app, 'GET', '/health/ready')).status).toBe(200);

    // Nothing half written: every flow answered 201 has its record and its one-time state (one
    // MULTI), and no failed request left either key behind.
    const succeeded = [...before, ...during, ...after].filter((r) => r.value.status === 201).map((r) => r.value.json as { id: string; authorizationUrl: string });
    const flowKeys = await keysOf('flow:*');
    const stateKeys = await keysOf('flow-state:*');
    expect(flowKeys.sort()).toEqual(succeeded.map((f) => `${app.redisKeyPrefix}flow:${f.id}`).sort());
    const expectedStates = succeeded.map((f) => {
      const state = new URL(f.authorizationUrl).searchParams.get('state')!;
      return `${app.redisKeyPrefix}flow-state:${createHash('sha256').update(state).digest('base64url')}`;
    });
    expect(stateKeys.sort()).toEqual(expectedStates.sort());
    for (const f of succeeded.slice(-5)) {
      expect((await api(app, 'GET', `/v1/consent-flows/${f.id}`, { token })).status).toBe(200);
    }
  });
});
