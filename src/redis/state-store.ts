/**
 * Short-lived shared state: flow state, one-time values, cached tokens, locks. Keys are namespaced
 * by the implementation; every write has a TTL. Two implementations behave the same: Redis
 * (production, several replicas) and in-process (sandbox mode without REDIS_URL).
 */
export abstract class StateStore {
  abstract set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Several writes in one round trip, all or none (a Redis MULTI). */
  abstract setMany(entries: ReadonlyArray<{ key: string; value: string; ttlSeconds: number }>): Promise<void>;
  /** Writes only if the key is absent; true when written. */
  abstract setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean>;
  abstract get(key: string): Promise<string | null>;
  /** Atomic read-and-delete: of two concurrent takers exactly one gets the value. */
  abstract take(key: string): Promise<string | null>;
  abstract delete(key: string): Promise<void>;
  /** A lock with expiry, so a crashed holder never blocks the others for longer than ttlMs. */
  abstract acquireLock(name: string, ttlMs: number): Promise<StateLock | null>;
  /** Readiness: throws when the store cannot be reached. */
  abstract ping(): Promise<void>;
}

export interface StateLock {
  /** Releases the lock if this holder still owns it. */
  release(): Promise<void>;
  /** Extends the lock if this holder still owns it; false when it was lost. */
  extend(ttlMs: number): Promise<boolean>;
}

export class StateStoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super('The state store is unavailable', { cause });
    this.name = 'StateStoreUnavailableError';
  }
}

export function assertTtl(ttlSeconds: number): void {
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) throw new RangeError(`TTL must be a positive integer, got ${ttlSeconds}`);
}
