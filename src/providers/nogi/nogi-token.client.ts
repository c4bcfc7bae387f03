import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { DataCipher } from '../../common/crypto/data-cipher';
import { AppError, ProblemCode, UpstreamOutcome } from '../../common/problem';
import { StateStore } from '../../redis/state-store';
import { NogiDiscoveryClient } from './nogi-discovery.client';
import { NogiHttpClient, NogiResponse, nogiBadResponse, nogiFailure, nogiStatusFailure } from './nogi-http.client';

export type NogiAudienceName = 'debt' | 'agreement' | 'feed';

/** The scope set of each token family (one debt token covers both debt scopes, per NoGi's docs). */
export const NOGI_TOKEN_SCOPES: Record<NogiAudienceName, string> = {
  debt: 'debt.unsecured.presentation debt.unsecured.processing',
  agreement: 'consent.create',
  feed: 'client.access.consent.events',
};

interface CachedToken {
  token: string;
  /** Epoch ms after which we no longer hand the token out (shortly before NoGi's expiry). */
  useUntil: number;
}

const POLL_INTERVAL_MS = 50;
/** How long a failed token request is announced to the requests waiting on it (they poll every 50 ms). */
const FAILURE_TTL_SECONDS = 2;
const PUBLISHED_CODES: ReadonlySet<ProblemCode> = new Set(['NOGI_UNAVAILABLE', 'NOGI_TIMEOUT', 'NOGI_BAD_RESPONSE', 'NOGI_REJECTED']);

/** What a lock holder announces when NoGi refused or failed its token request. */
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
 * Client-credentials tokens for NoGi's three APIs, one per audience, cached until shortly before
 * `expires_in` and shared across replicas through the state store (encrypted). Fetches are
 * single-flight: one in-flight promise per process, and a short lock across processes. When the
 * lock holder's request fails at NoGi it announces the failure in the store, and the requests
 * waiting on it (other replicas) fail at once with the same code instead of waiting out the lock.
 */
@Injectable()
export class NogiTokenClient {
  private readonly logger = new Logger(NogiTokenClient.name);
  private readonly local = new Map<NogiAudienceName, CachedToken>();
  private readonly inflight = new Map<NogiAudienceName, Promise<string>>();

  constructor(
    private readonly config: AppConfig,
    private readonly http: NogiHttpClient,
    private readonly discovery: NogiDiscoveryClient,
    private readonly store: StateStore,
    private readonly cipher: DataCipher,
  ) {}

  /** A cached client-credentials token for that audience. */
  async token(audience: NogiAudienceName): Promise<string> {
    const cached = this.local.get(audience);
    if (cached && cached.useUntil > Date.now()) return cached.token;
    let pending = this.inflight.get(audience);
    if (!pending) {
      pending = this.obtain(audience).finally(() => this.inflight.delete(audience));
      this.inflight.set(audience, pending);
    }
    return pending;
  }

  /** Drops a token NoGi refused, only if it is still the cached one. */
  async invalidate(audience: NogiAudienceName, token: string): Promise<void> {
    if (this.local.get(audience)?.token === token) this.local.delete(audience);
    const shared = await this.readShared(audience);
    // Not atomic: at worst a fresh token another replica just stored is dropped and fetched again.
    if (shared?.token === token) await this.store.delete(storeKey(audience));
  }

  /**
   * Runs a call with the token; when NoGi answers 401, or 403 saying the token is invalid or
   * expired (NoGi uses 403, not 401, for expired tokens), drops it and retries once with a fresh one.
   */
  async withToken(audience: NogiAudienceName, call: (token: string) => Promise<NogiResponse>): Promise<NogiResponse> {
    const first = await this.token(audience);
    const response = await call(first);
    if (!isTokenRejection(response)) return response;
    await this.invalidate(audience, first);
    return call(await this.token(audience));
  }

  private async obtain(audience: NogiAudienceName): Promise<string> {
    const shared = await this.readShared(audience);
    if (shared) return this.remember(audience, shared);

    const lockMs = this.config.nogiTimeoutMs * 2 + 1000;
    const deadline = Date.now() + lockMs;
    let lock = await this.store.acquireLock(storeKey(audience), lockMs);
    // Another replica is fetching: wait for its token or its announced failure. Should it stop
    // without either (it crashed, or failed in a way that is not NoGi's), take the lock over.
    while (!lock) {
      // Last resort, as the lock expires within lockMs: fetch without it.
      if (Date.now() >= deadline) return this.remember(audience, await this.fetchAndShare(audience));
      await sleep(POLL_INTERVAL_MS);
      const theirs = await this.readShared(audience);
      if (theirs) return this.remember(audience, theirs);
      const failure = await this.readFailure(audience);
      if (failure) throw failure;
      lock = await this.store.acquireLock(storeKey(audience), lockMs);
    }
    try {
      // The previous holder may have stored one between our read and our lock.
      const again = await this.readShared(audience);
      if (again) return this.remember(audience, again);
      // A failure announced by an earlier attempt is not this attempt's: waiters must not see it.
      await this.store.delete(failureKey(audience));
      return this.remember(audience, await this.fetchAndShare(audience));
    } catch (error) {
      await this.announceFailure(audience, error);
      throw error;
    } finally {
      await lock.release().catch(() => undefined);
    }
  }

  /** Written before the lock is released, so a waiter that finds the lock free has seen it. */
  private async announceFailure(audience: NogiAudienceName, error: unknown): Promise<void> {
    if (!(error instanceof AppError) || !PUBLISHED_CODES.has(error.code)) return;
    const failure: PublishedFailure = { code: error.code, upstream: (error.cause as { upstream?: UpstreamOutcome } | undefined)?.upstream };
    await this.store.set(failureKey(audience), JSON.stringify(failure), FAILURE_TTL_SECONDS).catch(() => undefined);
  }

  private async readFailure(audience: NogiAudienceName): Promise<AppError | undefined> {
    const stored = await this.store.get(failureKey(audience));
    if (!stored) return undefined;
    let failure: PublishedFailure;
    try {
      failure = JSON.parse(stored) as PublishedFailure;
    } catch {
      return undefined;
    }
    if (!PUBLISHED_CODES.has(failure.code)) return undefined;
    return new AppError(failure.code, `NoGi did not issue a client-credentials token (${audience}).`, { cause: new SharedTokenRequestFailed(failure.upstream) });
  }

  private remember(audience: NogiAudienceName, cached: CachedToken): string {
    this.local.set(audience, cached);
    return cached.token;
  }

  private async readShared(audience: NogiAudienceName): Promise<CachedToken | undefined> {
    const key = storeKey(audience);
    const stored = await this.store.get(key);
    if (!stored) return undefined;
    try {
      const value = JSON.parse(await this.cipher.decrypt(stored, key)) as CachedToken;
      return typeof value.token === 'string' && value.useUntil > Date.now() ? value : undefined;
    } catch {
      // Unreadable (e.g. a retired encryption key): treat as absent, a new token replaces it.
      return undefined;
    }
  }

  private async fetchAndShare(audience: NogiAudienceName): Promise<CachedToken> {
    const fetched = await this.fetch(audience);
    const key = storeKey(audience);
    const ttlSeconds = Math.floor((fetched.useUntil - Date.now()) / 1000);
    if (ttlSeconds > 0) await this.store.set(key, await this.cipher.encrypt(JSON.stringify(fetched), key), ttlSeconds);
    return fetched;
  }

  private async fetch(audience: NogiAudienceName): Promise<CachedToken> {
    const { token_endpoint } = await this.discovery.metadata();
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      audience: this.config.nogiAudiences[audience],
      scope: NOGI_TOKEN_SCOPES[audience],
    }).toString();
    let response: NogiResponse;
    try {
      response = await this.http.send({
        operation: `token.client_credentials.${audience}`,
        method: 'POST',
        url: token_endpoint,
        headers: {
          authorization: basicAuthorization(this.config.nogiClientId, this.config.nogiClientSecret),
          'content-type': 'application/x-www-form-urlencoded',
        },
        body,
      });
    } catch (error) {
      throw nogiFailure(error, 'token');
    }
    if (response.status !== 200) {
      this.logger.warn({ audience, status: response.status }, 'NoGi refused a client-credentials token');
      throw nogiStatusFailure(response.status, 'token');
    }
    const parsed = response.body as { access_token?: unknown; expires_in?: unknown } | undefined;
    const accessToken = parsed?.access_token;
    const expiresIn = Number(parsed?.expires_in);
    if (typeof accessToken !== 'string' || accessToken.length === 0 || !Number.isFinite(expiresIn) || expiresIn <= 0) {
      throw nogiBadResponse(response.status, 'token', 'NoGi answered the token request unexpectedly.');
    }
    // Stop using it a little early (10 %, at most 60 s) so a token never expires in flight.
    const early = Math.min(60, expiresIn * 0.1);
    this.logger.debug({ audience, expiresIn }, 'Fetched a NoGi client-credentials token');
    return { token: accessToken, useUntil: Date.now() + (expiresIn - early) * 1000 };
  }
}

function storeKey(audience: NogiAudienceName): string {
  return `nogi-token:${audience}`;
}

function failureKey(audience: NogiAudienceName): string {
  return `nogi-token-failure:${audience}`;
}

/** RFC 6749 §2.3.1: id and secret are each form-urlencoded before being joined and base64-encoded. */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  const encode = (value: string) => new URLSearchParams([['', value]]).toString().slice(1);
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}

/** NoGi's answers that mean "this token is no good" (not "this consent is no good"). */
export function isTokenRejection(response: NogiResponse): boolean {
  if (response.status === 401) return true;
  if (response.status !== 403) return false;
  const body = response.body as { error?: unknown; message?: unknown } | undefined;
  const error = typeof body?.error === 'string' ? body.error : '';
  if (/invalid consent|no valid consent/i.test(error)) return false;
  // Debt API: {error: "invalid access token"}; Agreement/feed (Spring): {message: "...access token..."}.
  const message = typeof body?.message === 'string' ? body.message : '';
  return /token/i.test(error) || /token/i.test(message);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
