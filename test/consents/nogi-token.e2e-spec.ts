import Redis from 'ioredis';
import { NogiDiscoveryClient } from '../../src/providers/nogi/nogi-discovery.client';
import { NogiTokenClient } from '../../src/providers/nogi/nogi-token.client';
import { type StartedNogiSandbox } from '../../src/providers/nogi/sandbox';
import { PERSON_WITH_DEBT } from '../support/national-ids';
import { eventually } from '../support/tcp-proxy';
import { TEST_CLIENT, type TestApp, type TestAppOptions } from '../support/test-app';
import { TEST_REDIS_URL } from '../support/test-env';
import { timed } from '../resilience/resilience.helpers';
import { api, startReadyApp, startSandbox } from './consents.helpers';

describe('NoGi client-credentials tokens', () => {
  let nogi: StartedNogiSandbox;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    nogi = await startSandbox();
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    nogi.sandbox.reset();
  });
  afterAll(() => nogi.close());

  const start = async (redisKeyPrefix?: string, options: Pick<TestAppOptions, 'listen' | 'issuer'> = {}) => {
    const app = await startReadyApp({ nogiUrl: nogi.url, listen: false, redisKeyPrefix, ...options });
    apps.push(app);
    return app;
  };

  it('asks for each audience with Basic client authentication, its audience and scopes, and no secret in the body', async () => {
    const app = await start();
    const tokens = app.app.get(NogiTokenClient);
    await tokens.token('debt');
    await tokens.token('agreement');
    await tokens.token('feed');
    const calls = nogi.sandbox.getCalls('token');
    expect(calls.map((c) => c.body)).toEqual([
      { grant_type: 'client_credentials', audience: `${nogi.url}/v1/debt`, scope: 'debt.unsecured.presentation debt.unsecured.processing' },
      { grant_type: 'client_credentials', audience: `${nogi.url}/v1/consent/agreement`, scope: 'consent.create' },
      { grant_type: 'client_credentials', audience: `${nogi.url}/feed/v1/consent`, scope: 'client.access.consent.events' },
    ]);
    for (const call of calls) {
      expect(call.status).toBe(200);
      expect(call.headers).toMatchObject({ authorization: 'Basic', basicClientId: TEST_CLIENT.id, contentType: 'application/x-www-form-urlencoded' });
    }
  });

  it('fetches one token for 50 concurrent callers', async () => {
    const app = await start();
    const tokens = app.app.get(NogiTokenClient);
    const got = await Promise.all(Array.from({ length: 50 }, () => tokens.token('debt')));
    expect(new Set(got).size).toBe(1);
    expect(nogi.sandbox.getCalls('token')).toHaveLength(1);
  });

  it('shares one token between two service instances on the same Redis', async () => {
    const first = await start();
    const second = await start(first.redisKeyPrefix);
    const [a, b] = await Promise.all([
      Promise.all(Array.from({ length: 20 }, () => first.app.get(NogiTokenClient).token('debt'))),
      Promise.all(Array.from({ length: 20 }, () => second.app.get(NogiTokenClient).token('debt'))),
    ]);
    expect(new Set([...a, ...b]).size).toBe(1);
    expect(nogi.sandbox.getCalls('token')).toHaveLength(1);
  });

  it('never writes the token to the logs or to Redis in plain text', async () => {
    const app = await start();
    const token = await app.app.get(NogiTokenClient).token('feed');
    expect(app.logs.join('\n')).not.toContain(token);
    expect(app.logs.join('\n')).not.toContain(TEST_CLIENT.secret);
    const redis = new Redis(TEST_REDIS_URL);
    try {
      const stored = await redis.get(`${app.redisKeyPrefix}nogi-token:feed`);
      expect(stored).toEqual(expect.any(String));
      expect(stored).not.toContain(token);
    } finally {
      redis.disconnect();
    }
  });

  describe("while NoGi's token endpoint fails", () => {
    let redis: Redis;
    beforeAll(() => {
      redis = new Redis(TEST_REDIS_URL);
    });
    afterAll(() => redis.disconnect());

    /** Two replicas on one Redis, the debt token cached nowhere, a consent to read debt with. */
    const twoReplicas = async () => {
      const first = await start(undefined, { listen: true });
      const second = await start(first.redisKeyPrefix, { listen: true, issuer: first.issuer });
      const admin = await first.issuer.service(['consent:write', 'debt:read']);
      const registered = await api(first, 'POST', '/v1/consents', { token: admin, body: { nationalId: PERSON_WITH_DEBT, purpose: 'presentation', durationDays: 30 } });
      expect(registered.status).toBe(201);
      // Both know NoGi's token endpoint already, so the only NoGi call left is the token request.
      await Promise.all([first, second].map((app) => app.app.get(NogiDiscoveryClient).metadata()));
      const readDebt = (app: TestApp) => api(app, 'GET', `/v1/consents/${registered.json.id}/debt`, { token: admin });
      const lockTaken = () => eventually(() => redis.exists(`${first.redisKeyPrefix}lock:nogi-token:debt`), (n) => n === 1, 5000);
      return { first, second, readDebt, lockTaken };
    };

    it("fails a replica waiting on another's token request at once, with NoGi's code, when that request fails", async () => {
      const { first, second, readDebt, lockTaken } = await twoReplicas();
      const tokenCalls = nogi.sandbox.getCalls('token').length;
      nogi.sandbox.injectFault({ endpoint: 'token', kind: 'timeout', times: 1 });
      const holder = timed(() => readDebt(first));
      await lockTaken();
      // The second replica did not win the lock: it waits for the first one's outcome.
      const waiter = await timed(() => readDebt(second));
      const held = await holder;
      expect(held.value.status).toBe(504);
      expect(held.value.json.code).toBe('NOGI_TIMEOUT');
      expect(waiter.value.status).toBe(504);
      expect(waiter.value.json).toMatchObject({ code: 'NOGI_TIMEOUT' });
      // It learnt of the failure when the holder gave up (NOGI_TIMEOUT_MS = 1.5 s), not after
      // waiting out the lock (2 × 1.5 s + 1 s) and trying again itself.
      expect(waiter.ms).toBeLessThan(3000);
      expect(nogi.sandbox.getCalls('token').length - tokenCalls).toBe(1);
    });

    it('lets the next request fetch a token afresh once the failed attempt is over', async () => {
      const { first, second, readDebt, lockTaken } = await twoReplicas();
      nogi.sandbox.injectFault({ endpoint: 'token', kind: 'status', status: 503, times: 1 });
      nogi.sandbox.injectFault({ endpoint: 'token', kind: 'latency', latencyMs: 300, times: 1 });
      const failed = await readDebt(first);
      expect(failed.json.code).toBe('NOGI_UNAVAILABLE');
      // The failure the first replica published must not fail requests waiting on a later attempt.
      const holder = readDebt(first);
      await lockTaken();
      const waiter = await readDebt(second);
      expect((await holder).status).toBe(200);
      expect(waiter.status).toBe(200);
    });
  });
});
