import { createCipheriv, createDecipheriv, createHash, createHmac, createSecretKey, KeyObject, randomBytes } from 'node:crypto';

const ALG = 'dir';
const ENC = 'A256GCM';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Authenticated encryption of what we keep in Redis and PostgreSQL (tokens, codes, national ids,
 * collected data): compact JWE (RFC 7516), `dir` + A256GCM, with a key id so rotated keys
 * (DATA_ENCRYPTION_KEY=new,old) still decrypt and a context bound into the protected header, so a
 * ciphertext moved to another Redis key or consent fails. Written with node:crypto directly (this
 * one JWE form only): every data read by consent decrypts once, and jose's WebCrypto path cost
 * about 14 % of a tax-assessment read's CPU. The output is the same JWE jose reads and writes
 * (a spec proves both ways), so values stored before this change still decrypt.
 */
export class DataCipher {
  private readonly keys: Array<{ kid: string; key: KeyObject }>;

  constructor(keys: readonly Buffer[]) {
    if (keys.length === 0) throw new Error('DataCipher needs at least one key');
    this.keys = keys.map((key) => {
      if (key.length !== 32) throw new Error('DataCipher keys are 32 bytes (A256GCM)');
      return { kid: createHash('sha256').update(key).digest('hex').slice(0, 16), key: createSecretKey(key) };
    });
  }

  async encrypt(plaintext: string, context: string): Promise<string> {
    const { kid, key } = this.keys[0];
    const header = Buffer.from(JSON.stringify({ alg: ALG, enc: ENC, kid, ctx: context })).toString('base64url');
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    // RFC 7516 §5.1: the additional authenticated data is the ASCII of the encoded protected header.
    cipher.setAAD(Buffer.from(header, 'ascii'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${header}..${iv.toString('base64url')}.${ciphertext.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}`;
  }

  async decrypt(jwe: string, context: string): Promise<string> {
    const parts = jwe.split('.');
    if (parts.length !== 5 || parts[1] !== '') throw new Error('Not a dir JWE');
    const [encodedHeader, , encodedIv, encodedCiphertext, encodedTag] = parts;
    let header: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(encodedHeader, 'base64url').toString('utf8')) as Record<string, unknown>;
    } catch {
      throw new Error('Unreadable JWE header');
    }
    // Only the form encrypt() writes: no other algorithm, no compression, no critical extensions.
    if (header.alg !== ALG || header.enc !== ENC || 'zip' in header || 'crit' in header) throw new Error('Unsupported JWE');
    const match = this.keys.find((k) => k.kid === header.kid);
    if (!match) throw new Error('No key for this ciphertext');
    const iv = Buffer.from(encodedIv, 'base64url');
    const tag = Buffer.from(encodedTag, 'base64url');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new Error('Malformed JWE');
    const decipher = createDecipheriv('aes-256-gcm', match.key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(encodedHeader, 'ascii'));
    decipher.setAuthTag(tag);
    const plaintext = Buffer.concat([decipher.update(Buffer.from(encodedCiphertext, 'base64url')), decipher.final()]).toString('utf8');
    if (header.ctx !== context) throw new Error('Ciphertext context mismatch');
    return plaintext;
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
