import Redis from 'ioredis';
import { NogiTokenClient } from '../../src/nogi/nogi-token.client';
import { type StartedNogiSandbox } from '../../src/sandbox/nogi';
import { TEST_CLIENT, type TestApp } from '../support/test-app';
import { TEST_REDIS_URL } from '../support/test-env';
import { startReadyApp, startSandbox } from './consents.helpers';

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

  const start = async (redisKeyPrefix?: string) => {
    const app = await startReadyApp({ nogiUrl: nogi.url, listen: false, redisKeyPrefix });
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
});
