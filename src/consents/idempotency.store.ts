import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { StateStore } from '../redis/state-store';

const TTL_SECONDS = 24 * 3600;
const WAIT_MS = 3000;
const POLL_MS = 100;

type Entry = { state: 'pending'; fingerprint: string } | { state: 'done'; fingerprint: string; status: number; body: unknown };

export type IdempotencyStart =
  | { kind: 'started' }
  | { kind: 'replay'; status: number; body: unknown }
  | { kind: 'mismatch' }
  | { kind: 'in_progress' };

/**
 * Idempotency-Key records in the state store, per caller (client id) and key, for 24 hours.
 * The first request claims the key atomically; a duplicate waits briefly for its result.
 *
 * The claim itself lives only as long as a registration can take (NoGi's budget for the token and
 * the agreement call, and the insert), so a claim left by a process that died mid-request (OOM,
 * SIGKILL, the forced exit after the drain) frees the key within minutes, not after 24 hours.
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
      if (await this.store.setIfAbsent(id, JSON.stringify({ state: 'pending', fingerprint } satisfies Entry), this.pendingTtlSeconds)) return { kind: 'started' };
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

  async complete(scope: string, key: string, fingerprint: string, status: number, body: unknown): Promise<void> {
    await this.store.set(storeKey(scope, key), JSON.stringify({ state: 'done', fingerprint, status, body } satisfies Entry), TTL_SECONDS);
  }

  /** The request failed before any effect we must remember: the key may be used again. */
  async abandon(scope: string, key: string): Promise<void> {
    await this.store.delete(storeKey(scope, key));
  }
}

export function storeKey(scope: string, key: string): string {
  // Hashed: neither the client id nor the caller's key ends up verbatim in Redis key space.
  return `idempotency:consents:${createHash('sha256').update(`${scope}\n${key}`).digest('hex')}`;
}

export function fingerprintOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}
