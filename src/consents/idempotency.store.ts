import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { uuidV5 } from '../common/crypto/uuid-v5';
import { StateStore } from '../redis/state-store';

const TTL_SECONDS = 24 * 3600;
/** An Idempotency-Key header: 1–255 printable ASCII characters without spaces. */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const WAIT_MS = 3000;
const POLL_MS = 100;
/** Ours, fixed for good: every client_consent_id we ever derived was derived under it. */
const CLIENT_CONSENT_ID_NAMESPACE = '3e33ce76-b55d-437c-85e8-3f9caaf4d293';

type Entry = { state: 'pending'; fingerprint: string } | { state: 'done'; fingerprint: string; status: number; body: unknown };

/**
 * A registration that may have reached NoGi: the ids it used (a retry sends NoGi the same
 * registration and records it under the same id) and, once NoGi answered, NoGi's consent.
 */
export interface RegistrationAttempt {
  consentId: string;
  clientConsentId: string;
  nogi?: { nogiConsentId: string; expiresAt: string };
}

export type IdempotencyStart =
  | { kind: 'started'; resume?: RegistrationAttempt }
  | { kind: 'replay'; status: number; body: unknown }
  | { kind: 'mismatch' }
  | { kind: 'in_progress' };

/**
 * Idempotency-Key records in the state store, per scope (see `idempotencyScope`) and key, for 24
 * hours. The first request claims the key atomically; a duplicate waits briefly for its result.
 *
 * The claim itself lives only as long as a registration can take (NoGi's budget for the token and
 * the agreement call, and the insert), so a claim left by a process that died mid-request (OOM,
 * SIGKILL, the forced exit after the drain) frees the key within minutes, not after 24 hours.
 *
 * A request that failed after NoGi may have accepted leaves its attempt (`remember`) for 24 hours
 * instead of giving the key up: the next request with the key resumes it, and the key stays bound
 * to that body.
 */
@Injectable()
export class IdempotencyStore {
  /** How long a claim of a key in progress is kept. */
  readonly pendingTtlSeconds: number;

  constructor(
    private readonly store: StateStore,
    config: AppConfig,
  ) {
    this.pendingTtlSeconds = Math.max(60, Math.ceil((3 * config.nogiTimeoutMs) / 1000) + 30);
  }

  async begin(scope: string, key: string, fingerprint: string): Promise<IdempotencyStart> {
    const id = storeKey(scope, key);
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      if (await this.store.setIfAbsent(id, JSON.stringify({ state: 'pending', fingerprint } satisfies Entry), this.pendingTtlSeconds)) return this.started(scope, key, fingerprint);
      const raw = await this.store.get(id);
      if (raw) {
        const entry = JSON.parse(raw) as Entry;
        if (entry.fingerprint !== fingerprint) return { kind: 'mismatch' };
        if (entry.state === 'done') return { kind: 'replay', status: entry.status, body: entry.body };
      }
      if (Date.now() >= deadline) return { kind: 'in_progress' };
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /** The claim is ours: an earlier attempt with this key is resumed, and binds the key to its body. */
  private async started(scope: string, key: string, fingerprint: string): Promise<IdempotencyStart> {
    const raw = await this.store.get(attemptKey(scope, key));
    if (!raw) return { kind: 'started' };
    const earlier = JSON.parse(raw) as { fingerprint: string; attempt: RegistrationAttempt };
    if (earlier.fingerprint === fingerprint) return { kind: 'started', resume: earlier.attempt };
    await this.store.delete(storeKey(scope, key));
    return { kind: 'mismatch' };
  }

  async complete(scope: string, key: string, fingerprint: string, status: number, body: unknown): Promise<void> {
    await this.store.set(storeKey(scope, key), JSON.stringify({ state: 'done', fingerprint, status, body } satisfies Entry), TTL_SECONDS);
  }

  /** NoGi may hold this attempt's consent: keep it for the next request with the key, and free the claim. */
  async remember(scope: string, key: string, fingerprint: string, attempt: RegistrationAttempt): Promise<void> {
    await this.store.set(attemptKey(scope, key), JSON.stringify({ fingerprint, attempt }), TTL_SECONDS);
    await this.store.delete(storeKey(scope, key));
  }

  /** The request failed before any effect we must remember: the key may be used again. */
  async abandon(scope: string, key: string): Promise<void> {
    await this.store.delete(storeKey(scope, key));
  }
}

/**
 * Whose key space an Idempotency-Key lives in: the calling client's, and for a customer token that
 * customer's within it (every customer of one frontend shares its client id). A service's scope is
 * its client id alone, as before, so answers stored before this rule still replay.
 */
export function idempotencyScope(clientId: string, customerNationalIdHash?: string): string {
  return customerNationalIdHash === undefined ? clientId : `${clientId}\ncustomer:${customerNationalIdHash}`;
}

/**
 * The client_consent_id sent to NoGi when the caller gave none: the same for every request with
 * this key in this scope, so a retry registers the same consent at NoGi instead of a second one.
 */
export function derivedClientConsentId(scope: string, key: string): string {
  return uuidV5(`${scope}\n${key}`, CLIENT_CONSENT_ID_NAMESPACE);
}

export function storeKey(scope: string, key: string): string {
  // Hashed: neither the client id nor the caller's key ends up verbatim in Redis key space.
  return `idempotency:consents:${createHash('sha256').update(`${scope}\n${key}`).digest('hex')}`;
}

function attemptKey(scope: string, key: string): string {
  return `${storeKey(scope, key)}:attempt`;
}

export function fingerprintOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}
