import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { assertTtl, StateLock, StateStore, StateStoreUnavailableError } from './state-store';

// Compare-and-delete / compare-and-extend: only the holder's token may release or extend a lock.
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const EXTEND = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

export class RedisStateStore extends StateStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    super();
  }

  private key(key: string): string {
    return `${this.prefix}${key}`;
  }

  private async run<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (error) {
      throw new StateStoreUnavailableError(error);
    }
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    assertTtl(ttlSeconds);
    await this.run(() => this.redis.set(this.key(key), value, 'EX', ttlSeconds));
  }

  async setMany(entries: ReadonlyArray<{ key: string; value: string; ttlSeconds: number }>): Promise<void> {
    entries.forEach((e) => assertTtl(e.ttlSeconds));
    const multi = this.redis.multi();
    for (const e of entries) multi.set(this.key(e.key), e.value, 'EX', e.ttlSeconds);
    const results = await this.run(() => multi.exec());
    if (!results || results.some(([error]) => error)) throw new StateStoreUnavailableError(results?.find(([error]) => error)?.[0]);
  }

  async setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    assertTtl(ttlSeconds);
    return (await this.run(() => this.redis.set(this.key(key), value, 'EX', ttlSeconds, 'NX'))) === 'OK';
  }

  get(key: string): Promise<string | null> {
    return this.run(() => this.redis.get(this.key(key)));
  }

  take(key: string): Promise<string | null> {
    return this.run(() => this.redis.getdel(this.key(key)));
  }

  async delete(key: string): Promise<void> {
    await this.run(() => this.redis.del(this.key(key)));
  }

  async acquireLock(name: string, ttlMs: number): Promise<StateLock | null> {
    const key = this.key(`lock:${name}`);
    const token = randomUUID();
    const ok = await this.run(() => this.redis.set(key, token, 'PX', ttlMs, 'NX'));
    if (ok !== 'OK') return null;
    return {
      release: async () => {
        await this.run(() => this.redis.eval(RELEASE, 1, key, token));
      },
      extend: async (ms: number) => (await this.run(() => this.redis.eval(EXTEND, 1, key, token, String(ms)))) === 1,
    };
  }

  async ping(): Promise<void> {
    await this.run(() => this.redis.ping());
  }
}
