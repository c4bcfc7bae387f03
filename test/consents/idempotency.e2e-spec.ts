import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import type { AppConfig } from '../../src/config/app-config';
import { derivedClientConsentId, idempotencyScope, IdempotencyStore, storeKey } from '../../src/consents/idempotency.store';
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

  it('hands an attempt that may have reached NoGi to the next request with the key, and binds the key to its body', async () => {
    const store = new IdempotencyStore(new RedisStateStore(redis, prefix), config(5000));
    const key = `key-${randomUUID()}`;
    expect(await store.begin('client-a', key, 'fp')).toEqual({ kind: 'started' });
    const attempt = { consentId: randomUUID(), clientConsentId: derivedClientConsentId('client-a', key), nogi: { nogiConsentId: 'n-1', expiresAt: '2030-01-01T00:00:00.000Z' } };
    await store.remember('client-a', key, 'fp', attempt);
    expect(await store.begin('client-a', key, 'other-body')).toEqual({ kind: 'mismatch' });
    expect(await store.begin('client-a', key, 'fp')).toEqual({ kind: 'started', resume: attempt });
    expect(await redis.ttl(`${prefix}${storeKey('client-a', key)}:attempt`)).toBeGreaterThan(23 * 3600);
  });

  it('derives one client_consent_id per scope and key: stable for a retry, another for another customer or key', () => {
    const alice = idempotencyScope('frontend', 'a'.repeat(64));
    const bob = idempotencyScope('frontend', 'b'.repeat(64));
    expect(idempotencyScope('frontend')).toBe('frontend');
    expect(derivedClientConsentId(alice, 'k1')).toBe(derivedClientConsentId(alice, 'k1'));
    expect(derivedClientConsentId(alice, 'k1')).not.toBe(derivedClientConsentId(bob, 'k1'));
    expect(derivedClientConsentId(alice, 'k1')).not.toBe(derivedClientConsentId(alice, 'k2'));
    expect(derivedClientConsentId(alice, 'k1')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
