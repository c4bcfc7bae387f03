import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { MemoryStateStore } from '../../src/redis/memory-state.store';
import { RedisStateStore } from '../../src/redis/redis-state.store';
import { createRedisClient } from '../../src/redis/redis.module';
import { StateStore } from '../../src/redis/state-store';
import { TEST_REDIS_URL } from '../support/test-env';

/** Both implementations behave the same; the Redis one against the real Redis. */
describe.each(['redis', 'memory'] as const)('StateStore (%s)', (kind) => {
  let redis: Redis | undefined;
  let store: StateStore;
  const prefix = `test:${randomUUID()}:`;

  beforeAll(async () => {
    if (kind === 'redis') {
      redis = createRedisClient(TEST_REDIS_URL, new Logger('test'));
      await new Promise((resolve) => redis!.once('ready', resolve));
      store = new RedisStateStore(redis, prefix);
    } else {
      store = new MemoryStateStore();
    }
  });
  afterAll(async () => {
    if (store instanceof MemoryStateStore) store.close();
    await redis?.quit();
  });

  it('sets with a TTL and refuses a write without one', async () => {
    await store.set('a', '1', 60);
    expect(await store.get('a')).toBe('1');
    await expect(store.set('b', '1', 0)).rejects.toThrow(RangeError);
    if (redis) expect(await redis.ttl(`${prefix}a`)).toBeGreaterThan(50);
  });

  it('lets exactly one of many concurrent takers have a value', async () => {
    await store.set('once', 'secret', 60);
    const taken = await Promise.all(Array.from({ length: 20 }, () => store.take('once')));
    expect(taken.filter((v) => v === 'secret')).toHaveLength(1);
    expect(await store.get('once')).toBeNull();
  });

  it('writes several keys at once', async () => {
    await store.setMany([{ key: 'm1', value: 'x', ttlSeconds: 60 }, { key: 'm2', value: 'y', ttlSeconds: 60 }]);
    expect([await store.get('m1'), await store.get('m2')]).toEqual(['x', 'y']);
  });

  it('writes if absent only once', async () => {
    expect(await store.setIfAbsent('idem', 'first', 60)).toBe(true);
    expect(await store.setIfAbsent('idem', 'second', 60)).toBe(false);
    expect(await store.get('idem')).toBe('first');
  });

  it('grants a lock to one holder, lets only the holder release it, and frees it on expiry', async () => {
    const name = randomUUID();
    const lock = await store.acquireLock(name, 300);
    expect(lock).not.toBeNull();
    expect(await store.acquireLock(name, 300)).toBeNull();
    expect(await lock!.extend(300)).toBe(true);
    await new Promise((r) => setTimeout(r, 450));
    const next = await store.acquireLock(name, 5000);
    expect(next).not.toBeNull();
    await lock!.release(); // expired holder: must not free the new holder's lock
    expect(await store.acquireLock(name, 5000)).toBeNull();
    expect(await lock!.extend(300)).toBe(false);
    await next!.release();
    expect(await store.acquireLock(name, 5000)).not.toBeNull();
  });
});
