import { createHash, createHmac, createSecretKey, KeyObject } from 'node:crypto';
import { CompactEncrypt, compactDecrypt } from 'jose';

/**
 * Authenticated encryption of what we keep in Redis (NoGi tokens, collected debt): compact JWE,
 * `dir` + A256GCM, with a key id so rotated keys (DATA_ENCRYPTION_KEY=new,old) still decrypt.
 */
export class DataCipher {
  private readonly keys: Array<{ kid: string; key: Uint8Array }>;

  constructor(keys: readonly Buffer[]) {
    if (keys.length === 0) throw new Error('DataCipher needs at least one key');
    this.keys = keys.map((key) => ({ kid: createHash('sha256').update(key).digest('hex').slice(0, 16), key: new Uint8Array(key) }));
  }

  async encrypt(plaintext: string, context: string): Promise<string> {
    const { kid, key } = this.keys[0];
    // The context (e.g. the Redis key) is bound into the header, so a ciphertext moved to another key fails.
    return new CompactEncrypt(new TextEncoder().encode(plaintext))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid, ctx: context })
      .encrypt(key);
  }

  async decrypt(jwe: string, context: string): Promise<string> {
    const { plaintext, protectedHeader } = await compactDecrypt(jwe, (header) => {
      const match = this.keys.find((k) => k.kid === header.kid);
      if (!match) throw new Error('No key for this ciphertext');
      return match.key;
    });
    if (protectedHeader.ctx !== context) throw new Error('Ciphertext context mismatch');
    return new TextDecoder().decode(plaintext);
  }
}

/** Keyed hash of a national id for lookups; the plain number is never stored. */
export class NationalIdHasher {
  private readonly key: KeyObject;

  constructor(key: Buffer) {
    // Imported once: a raw key is imported again on every createHmac.
    this.key = createSecretKey(key);
  }

  hash(nationalId: string): string {
    return createHmac('sha256', this.key).update(nationalId).digest('hex');
  }
}
