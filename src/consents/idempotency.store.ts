import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
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
 */
@Injectable()
export class IdempotencyStore {
  constructor(private readonly store: StateStore) {}

  async begin(scope: string, key: string, fingerprint: string): Promise<IdempotencyStart> {
    const id = storeKey(scope, key);
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      if (await this.store.setIfAbsent(id, JSON.stringify({ state: 'pending', fingerprint } satisfies Entry), TTL_SECONDS)) return { kind: 'started' };
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

function storeKey(scope: string, key: string): string {
  // Hashed: neither the client id nor the caller's key ends up verbatim in Redis key space.
  return `idempotency:consents:${createHash('sha256').update(`${scope}\n${key}`).digest('hex')}`;
}

export function fingerprintOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}
