import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 8 * 1024;
let pool = Buffer.alloc(0);
let offset = 0;

/**
 * Bytes from the CSPRNG, drawn from a pool refilled 8 KiB at a time (as Node's own randomUUID
 * does): each call to the CSPRNG has a fixed cost that dominated a small request. Every byte is
 * handed out once; a refill takes a new buffer, so bytes already handed out are never rewritten.
 */
export function secureRandomBytes(size: number): Buffer {
  if (size > POOL_BYTES) return randomFillSync(Buffer.allocUnsafe(size));
  if (offset + size > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(POOL_BYTES));
    offset = 0;
  }
  const bytes = pool.subarray(offset, offset + size);
  offset += size;
  return bytes;
}
