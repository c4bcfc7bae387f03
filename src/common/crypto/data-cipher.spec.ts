import { createHash, randomBytes } from 'node:crypto';
import { CompactEncrypt, compactDecrypt } from 'jose';
import { DataCipher, NationalIdHasher } from './data-cipher';

describe('DataCipher', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);

  it('round-trips and never shows the plaintext in the ciphertext', async () => {
    const cipher = new DataCipher([newKey]);
    const jwe = await cipher.encrypt('{"ssn":"14842249091"}', 'flow:1');
    expect(jwe).not.toContain('14842249091');
    await expect(cipher.decrypt(jwe, 'flow:1')).resolves.toBe('{"ssn":"14842249091"}');
  });

  it('decrypts with a rotated-out key and encrypts with the first', async () => {
    const before = await new DataCipher([oldKey]).encrypt('secret', 'k');
    const rotated = new DataCipher([newKey, oldKey]);
    await expect(rotated.decrypt(before, 'k')).resolves.toBe('secret');
    const after = await rotated.encrypt('secret', 'k');
    await expect(new DataCipher([newKey]).decrypt(after, 'k')).resolves.toBe('secret');
    await expect(new DataCipher([oldKey]).decrypt(after, 'k')).rejects.toThrow();
  });

  it('refuses a ciphertext presented under another context or tampered with', async () => {
    const cipher = new DataCipher([newKey]);
    const jwe = await cipher.encrypt('secret', 'flow:1');
    await expect(cipher.decrypt(jwe, 'flow:2')).rejects.toThrow();
    const parts = jwe.split('.');
    parts[3] = parts[3].replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    await expect(cipher.decrypt(parts.join('.'), 'flow:1')).rejects.toThrow();
  });
});

describe('DataCipher and jose (the JWE form values were stored in before node:crypto wrote them)', () => {
  const key = randomBytes(32);
  const kid = createHash('sha256').update(key).digest('hex').slice(0, 16);

  it('decrypts what jose encrypted (dir + A256GCM, kid, ctx)', async () => {
    const stored = await new CompactEncrypt(new TextEncoder().encode('{"token":"t"}')).setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid, ctx: 'nogi-token:debt' }).encrypt(new Uint8Array(key));
    await expect(new DataCipher([key]).decrypt(stored, 'nogi-token:debt')).resolves.toBe('{"token":"t"}');
  });

  it('writes what jose decrypts, with the same header', async () => {
    const jwe = await new DataCipher([key]).encrypt('æøå 14842249091', 'consent:1');
    const { plaintext, protectedHeader } = await compactDecrypt(jwe, new Uint8Array(key));
    expect(new TextDecoder().decode(plaintext)).toBe('æøå 14842249091');
    expect(protectedHeader).toEqual({ alg: 'dir', enc: 'A256GCM', kid, ctx: 'consent:1' });
  });

  it('refuses any other JWE form: another algorithm, compression, critical headers, a wrong tag length', async () => {
    const cipher = new DataCipher([key]);
    const good = await cipher.encrypt('x', 'c');
    const [, , iv, ct, tag] = good.split('.');
    const withHeader = (h: Record<string, unknown>) => `${Buffer.from(JSON.stringify(h)).toString('base64url')}..${iv}.${ct}.${tag}`;
    for (const header of [{ alg: 'A256KW', enc: 'A256GCM', kid, ctx: 'c' }, { alg: 'dir', enc: 'A128GCM', kid, ctx: 'c' }, { alg: 'dir', enc: 'A256GCM', kid, ctx: 'c', zip: 'DEF' }, { alg: 'dir', enc: 'A256GCM', kid, ctx: 'c', crit: ['x'], x: 1 }]) {
      await expect(cipher.decrypt(withHeader(header), 'c')).rejects.toThrow();
    }
    await expect(cipher.decrypt(good.replace(/\.[^.]+$/, '.AAAA'), 'c')).rejects.toThrow();
    await expect(cipher.decrypt('not.a.jwe', 'c')).rejects.toThrow();
  });
});

describe('NationalIdHasher', () => {
  it('is stable per key and differs between keys', () => {
    const a = new NationalIdHasher(Buffer.alloc(32, 1));
    const b = new NationalIdHasher(Buffer.alloc(32, 2));
    expect(a.hash('14842249091')).toBe(a.hash('14842249091'));
    expect(a.hash('14842249091')).not.toBe(b.hash('14842249091'));
    expect(a.hash('14842249091')).toMatch(/^[0-9a-f]{64}$/);
  });
});
