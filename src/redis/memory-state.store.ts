import { assertTtl, StateLock, StateStore } from './state-store';

interface Entry {
  value: string;
  expiresAt: number;
}

/** Sandbox mode without REDIS_URL: the same behaviour as RedisStateStore, in this process only. */
export class MemoryStateStore extends StateStore {
  private readonly entries = new Map<string, Entry>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now) {
    super();
    this.sweeper = setInterval(() => this.sweep(), 30_000);
    this.sweeper.unref();
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private sweep(): void {
    for (const key of this.entries.keys()) this.live(key);
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    assertTtl(ttlSeconds);
    this.entries.set(key, { value, expiresAt: this.now() + ttlSeconds * 1000 });
  }

  async setMany(entries: ReadonlyArray<{ key: string; value: string; ttlSeconds: number }>): Promise<void> {
    entries.forEach((e) => assertTtl(e.ttlSeconds));
    for (const e of entries) this.entries.set(e.key, { value: e.value, expiresAt: this.now() + e.ttlSeconds * 1000 });
  }

  async setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    assertTtl(ttlSeconds);
    if (this.live(key)) return false;
    this.entries.set(key, { value, expiresAt: this.now() + ttlSeconds * 1000 });
    return true;
  }

  async get(key: string): Promise<string | null> {
    return this.live(key)?.value ?? null;
  }

  async take(key: string): Promise<string | null> {
    const entry = this.live(key);
    this.entries.delete(key);
    return entry?.value ?? null;
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async acquireLock(name: string, ttlMs: number): Promise<StateLock | null> {
    const key = `lock:${name}`;
    if (this.live(key)) return null;
    const token = Symbol(key);
    const entry: Entry & { token?: symbol } = { value: 'locked', expiresAt: this.now() + ttlMs, token };
    this.entries.set(key, entry);
    const owned = () => this.live(key) === entry;
    return {
      release: async () => {
        if (owned()) this.entries.delete(key);
      },
      extend: async (ms: number) => {
        if (!owned()) return false;
        entry.expiresAt = this.now() + ms;
        return true;
      },
    };
  }

  async ping(): Promise<void> {}

  close(): void {
    clearInterval(this.sweeper);
  }
}
