import { createHash, randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { assertTtl, StateLock, StateStore, StateStoreUnavailableError } from './state-store';

// Compare-and-delete / compare-and-extend: only the holder's token may release or extend a lock.
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const EXTEND = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

const SET_MANY = `for i, key in ipairs(KEYS) do redis.call('set', key, ARGV[i * 2 - 1], 'EX', ARGV[i * 2]) end return #KEYS`;
const SET_MANY_SHA = createHash('sha1').update(SET_MANY).digest('hex');

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

  /** One EVALSHA instead of MULTI/SET/SET/EXEC: a script runs atomically, and costs one command. */
  async setMany(entries: ReadonlyArray<{ key: string; value: string; ttlSeconds: number }>): Promise<void> {
    entries.forEach((e) => assertTtl(e.ttlSeconds));
    const args = entries.flatMap((e) => [e.value, String(e.ttlSeconds)]);
    await this.run(() => this.redis.evalsha(SET_MANY_SHA, entries.length, ...entries.map((e) => this.key(e.key)), ...args).catch((error: Error) => {
      // First use on this Redis (or after SCRIPT FLUSH): send the script itself.
      if (!/NOSCRIPT/.test(error.message)) throw error;
      return this.redis.eval(SET_MANY, entries.length, ...entries.map((e) => this.key(e.key)), ...args);
    }));
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
