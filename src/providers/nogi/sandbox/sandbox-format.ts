import { createHash, randomBytes, randomInt } from 'node:crypto';

export function randomToken(): string {
  // Opaque `xxx.yyy` like Hydra's tokens and codes.
  return `${randomBytes(32).toString('base64url')}.${randomBytes(32).toString('base64url')}`;
}

export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i.test(value);
}

/** Name-based UUID (v5 layout) so a non-UUID client id still fits the feed's `format: uuid`. */
export function nameUuid(name: string): string {
  const h = createHash('sha1').update(`nogi-sandbox-client:${name}`).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** ISO-8601 with nanosecond precision (NoGi's feed format since 2024-05-22). */
export function isoNanos(ms: number): string {
  const sub = String(randomInt(0, 1_000_000)).padStart(6, '0');
  return new Date(ms).toISOString().replace(/Z$/, `${sub}Z`);
}

/** ISO-8601 with microseconds, as NoGi's Debt API writes error timestamps. */
export function isoMicros(ms: number): string {
  const sub = String(randomInt(0, 1000)).padStart(3, '0');
  return new Date(ms).toISOString().replace(/Z$/, `${sub}Z`);
}
