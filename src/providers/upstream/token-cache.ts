import { DataCipher } from '../../common/crypto/data-cipher';
import { AppError, ProblemCode, UpstreamOutcome } from '../../common/problem';
import { StateStore } from '../../redis/state-store';
import { problemsOf, Upstream } from './upstream';

/** What a grant request returns; the cache decides how long to hand the token out. */
export interface FetchedToken {
  token: string;
  expiresInSeconds: number;
}

export interface TokenCacheOptions {
  upstream: Upstream;
  /** Redis key namespace, e.g. `nogi-token` (keys `nogi-token:<key>`, `nogi-token-failure:<key>`). */
  namespace: string;
  /** Named in a waiter's problem detail, e.g. `client-credentials`. */
  grant: string;
  /** How long one replica may hold the fetch lock: above the grant request's own timeout. */
  lockMs: number;
}

interface CachedToken {
  token: string;
  /** Epoch ms after which we no longer hand the token out (shortly before the upstream's expiry). */
  useUntil: number;
}

const POLL_INTERVAL_MS = 50;
/** How long a failed token request is announced to the requests waiting on it (they poll every 50 ms). */
const FAILURE_TTL_SECONDS = 2;

/** What a lock holder announces when the upstream refused or failed its token request. */
interface PublishedFailure {
  code: ProblemCode;
  upstream?: UpstreamOutcome;
}

/** The cause of a waiter's problem: the token request it waited on failed (on another replica, perhaps). */
class SharedTokenRequestFailed extends Error {
  constructor(readonly upstream: UpstreamOutcome | undefined) {
    super('The token request this one waited on failed');
    this.name = 'SharedTokenRequestFailed';
  }
}

/**
 * Tokens of any grant, one per key, cached until shortly before their expiry and shared across
 * replicas through the state store (encrypted at rest). Fetches are single-flight: one in-flight
 * promise per process, and a short lock across processes. When the lock holder's request fails at
 * the upstream it announces the failure in the store, and the requests waiting on it (other
 * replicas) fail at once with the same <UPSTREAM>_* code instead of waiting out the lock.
 */
export class TokenCache {
  private readonly local = new Map<string, CachedToken>();
  private readonly inflight = new Map<string, Promise<string>>();
  private readonly published: ReadonlySet<ProblemCode>;

  constructor(
    private readonly store: StateStore,
    private readonly cipher: DataCipher,
    private readonly options: TokenCacheOptions,
  ) {
    const p = problemsOf(options.upstream);
    this.published = new Set([p.unavailable, p.timeout, p.badResponse, p.rejected]);
  }

  /** The cached token for `key`, or one `fetch` obtains (once across processes). */
  async get(key: string, fetch: () => Promise<FetchedToken>): Promise<string> {
    const cached = this.local.get(key);
    if (cached && cached.useUntil > Date.now()) return cached.token;
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.obtain(key, fetch).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  /** Drops a token the upstream refused, only if it is still the cached one. */
  async invalidate(key: string, token: string): Promise<void> {
    if (this.local.get(key)?.token === token) this.local.delete(key);
    const shared = await this.readShared(key);
    // Not atomic: at worst a fresh token another replica just stored is dropped and fetched again.
    if (shared?.token === token) await this.store.delete(this.storeKey(key));
  }

  private async obtain(key: string, fetch: () => Promise<FetchedToken>): Promise<string> {
    const shared = await this.readShared(key);
    if (shared) return this.remember(key, shared);

    const lockMs = this.options.lockMs;
    const deadline = Date.now() + lockMs;
    let lock = await this.store.acquireLock(this.storeKey(key), lockMs);
    // Another replica is fetching: wait for its token or its announced failure. Should it stop
    // without either (it crashed, or failed in a way that is not the upstream's), take the lock over.
    while (!lock) {
      // Last resort, as the lock expires within lockMs: fetch without it.
      if (Date.now() >= deadline) return this.remember(key, await this.fetchAndShare(key, fetch));
      await sleep(POLL_INTERVAL_MS);
      const theirs = await this.readShared(key);
      if (theirs) return this.remember(key, theirs);
      const failure = await this.readFailure(key);
      if (failure) throw failure;
      lock = await this.store.acquireLock(this.storeKey(key), lockMs);
    }
    try {
      // The previous holder may have stored one between our read and our lock.
      const again = await this.readShared(key);
      if (again) return this.remember(key, again);
      // A failure announced by an earlier attempt is not this attempt's: waiters must not see it.
      await this.store.delete(this.failureKey(key));
      return this.remember(key, await this.fetchAndShare(key, fetch));
    } catch (error) {
      await this.announceFailure(key, error);
      throw error;
    } finally {
      await lock.release().catch(() => undefined);
    }
  }

  /** Written before the lock is released, so a waiter that finds the lock free has seen it. */
  private async announceFailure(key: string, error: unknown): Promise<void> {
    if (!(error instanceof AppError) || !this.published.has(error.code)) return;
    const failure: PublishedFailure = { code: error.code, upstream: (error.cause as { upstream?: UpstreamOutcome } | undefined)?.upstream };
    await this.store.set(this.failureKey(key), JSON.stringify(failure), FAILURE_TTL_SECONDS).catch(() => undefined);
  }

  private async readFailure(key: string): Promise<AppError | undefined> {
    const stored = await this.store.get(this.failureKey(key));
    if (!stored) return undefined;
    let failure: PublishedFailure;
    try {
      failure = JSON.parse(stored) as PublishedFailure;
    } catch {
      return undefined;
    }
    if (!this.published.has(failure.code)) return undefined;
    const label = problemsOf(this.options.upstream).label;
    return new AppError(failure.code, `${label} did not issue a ${this.options.grant} token (${key}).`, { cause: new SharedTokenRequestFailed(failure.upstream) });
  }

  private remember(key: string, cached: CachedToken): string {
    this.local.set(key, cached);
    return cached.token;
  }

  private async readShared(key: string): Promise<CachedToken | undefined> {
    const storeKey = this.storeKey(key);
    const stored = await this.store.get(storeKey);
    if (!stored) return undefined;
    try {
      const value = JSON.parse(await this.cipher.decrypt(stored, storeKey)) as CachedToken;
      return typeof value.token === 'string' && value.useUntil > Date.now() ? value : undefined;
    } catch {
      // Unreadable (e.g. a retired encryption key): treat as absent, a new token replaces it.
      return undefined;
    }
  }

  private async fetchAndShare(key: string, fetch: () => Promise<FetchedToken>): Promise<CachedToken> {
    const { token, expiresInSeconds } = await fetch();
    // Stop using it a little early (10 %, at most 60 s) so a token never expires in flight.
    const early = Math.min(60, expiresInSeconds * 0.1);
    const fetched: CachedToken = { token, useUntil: Date.now() + (expiresInSeconds - early) * 1000 };
    const storeKey = this.storeKey(key);
    const ttlSeconds = Math.floor((fetched.useUntil - Date.now()) / 1000);
    if (ttlSeconds > 0) await this.store.set(storeKey, await this.cipher.encrypt(JSON.stringify(fetched), storeKey), ttlSeconds);
    return fetched;
  }

  private storeKey(key: string): string {
    return `${this.options.namespace}:${key}`;
  }

  private failureKey(key: string): string {
    return `${this.options.namespace}-failure:${key}`;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
