import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import type { AppConfig } from '../../src/config/app-config';
import { IdempotencyStore, storeKey } from '../../src/consents/idempotency.store';
import { RedisStateStore } from '../../src/redis/redis-state.store';
import { createRedisClient } from '../../src/redis/redis.module';
import { TEST_REDIS_URL } from '../support/test-env';

/** The Idempotency-Key records in the real Redis: how long a claim and an answer are kept. */
describe('IdempotencyStore', () => {
  let redis: Redis;
  const prefix = `test:${randomUUID()}:`;
  const config = (nogiTimeoutMs: number) => ({ nogiTimeoutMs }) as AppConfig;

  beforeAll(async () => {
    redis = createRedisClient(TEST_REDIS_URL, new Logger('test'));
    await new Promise((resolve) => redis.once('ready', resolve));
  });
  afterAll(() => redis.quit());

  it('keeps a claim in progress only as long as a registration can take, and the answer for 24 hours', async () => {
    const store = new IdempotencyStore(new RedisStateStore(redis, prefix), config(5000));
    const key = `key-${randomUUID()}`;
    expect(await store.begin('client-a', key, 'fp')).toEqual({ kind: 'started' });
    const claimTtl = await redis.ttl(`${prefix}${storeKey('client-a', key)}`);
    expect(claimTtl).toBeGreaterThan(40);
    expect(claimTtl).toBeLessThanOrEqual(60);

    await store.complete('client-a', key, 'fp', 201, { id: 'x' });
    expect(await redis.ttl(`${prefix}${storeKey('client-a', key)}`)).toBeGreaterThan(23 * 3600);
    expect(await store.begin('client-a', key, 'fp')).toEqual({ kind: 'replay', status: 201, body: { id: 'x' } });
  });

  it('gives a longer NOGI_TIMEOUT_MS a longer claim (three NoGi budgets and a margin)', () => {
    expect(new IdempotencyStore(new RedisStateStore(redis, prefix), config(120_000)).pendingTtlSeconds).toBe(390);
  });
});
