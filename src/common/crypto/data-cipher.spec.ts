import { randomBytes } from 'node:crypto';
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

describe('NationalIdHasher', () => {
  it('is stable per key and differs between keys', () => {
    const a = new NationalIdHasher(Buffer.alloc(32, 1));
    const b = new NationalIdHasher(Buffer.alloc(32, 2));
    expect(a.hash('14842249091')).toBe(a.hash('14842249091'));
    expect(a.hash('14842249091')).not.toBe(b.hash('14842249091'));
    expect(a.hash('14842249091')).toMatch(/^[0-9a-f]{64}$/);
  });
});
