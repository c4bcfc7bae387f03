import { randomBytes, randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { DataCipher } from '../../src/common/crypto/data-cipher';
import { AppError } from '../../src/common/problem';
import { TokenCache } from '../../src/providers/upstream/token-cache';
import { RedisStateStore } from '../../src/redis/redis-state.store';
import { createRedisClient } from '../../src/redis/redis.module';
import { TEST_REDIS_URL } from '../support/test-env';

describe('TokenCache on Redis (any grant, shared by replicas)', () => {
  let redis: Redis;
  let prefix: string;
  const cipher = new DataCipher([randomBytes(32)]);
  const options = { upstream: 'nogi' as const, namespace: 'test-token', grant: 'client-credentials', lockMs: 3000 };
  /** One replica: its own in-process cache over the shared Redis. */
  const replica = () => new TokenCache(new RedisStateStore(redis, prefix), cipher, options);

  beforeAll(async () => {
    redis = createRedisClient(TEST_REDIS_URL, new Logger('test'));
    await new Promise((resolve) => redis.once('ready', resolve));
  });
  beforeEach(() => {
    prefix = `token-cache-${randomUUID()}:`;
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('fetches once for concurrent requests on two replicas, and keeps the token encrypted in Redis', async () => {
    let fetches = 0;
    const fetch = async () => {
      fetches++;
      await new Promise((resolve) => setTimeout(resolve, 200));
      return { token: 'secret-token-1', expiresInSeconds: 300 };
    };
    const [a, b] = [replica(), replica()];
    const tokens = await Promise.all([a.get('debt', fetch), a.get('debt', fetch), b.get('debt', fetch), b.get('debt', fetch)]);
    expect(tokens).toEqual(['secret-token-1', 'secret-token-1', 'secret-token-1', 'secret-token-1']);
    expect(fetches).toBe(1);
    const stored = await redis.get(`${prefix}test-token:debt`);
    expect(stored).toBeTruthy();
    expect(stored).not.toContain('secret-token-1');
    expect(await redis.ttl(`${prefix}test-token:debt`)).toBeGreaterThan(200);
  });

  it("fails a waiting replica at once with the holder's upstream code, without a fetch of its own", async () => {
    const holder = replica();
    const failing = holder.get('feed', async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      throw new AppError('NOGI_TIMEOUT', 'NoGi did not answer in time (token).');
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    let waiterFetched = false;
    const waiting = replica().get('feed', async () => {
      waiterFetched = true;
      return { token: 'other', expiresInSeconds: 300 };
    });
    await expect(failing).rejects.toMatchObject({ code: 'NOGI_TIMEOUT' });
    await expect(waiting).rejects.toMatchObject({ code: 'NOGI_TIMEOUT', detail: expect.stringContaining('did not issue a client-credentials token (feed)') });
    expect(waiterFetched).toBe(false);
  });

  it('drops a refused token for every replica, but not a newer one', async () => {
    const [a, b] = [replica(), replica()];
    let n = 0;
    const fetch = async () => ({ token: `t${++n}`, expiresInSeconds: 300 });
    expect(await a.get('agreement', fetch)).toBe('t1');
    expect(await b.get('agreement', fetch)).toBe('t1');
    await a.invalidate('agreement', 't1');
    expect(await a.get('agreement', fetch)).toBe('t2');
    await b.invalidate('agreement', 't1'); // stale: t2 stays shared
    expect(await b.get('agreement', fetch)).toBe('t2');
    expect(n).toBe(2);
  });
});
