import { secureRandomBytes } from './random';

describe('secureRandomBytes', () => {
  it('never hands out the same bytes twice, across pool refills', () => {
    const seen = new Set<string>();
    // 3 pools' worth of 32-byte draws, plus odd sizes that straddle the refill boundary.
    for (let i = 0; i < 800; i++) {
      const size = i % 7 === 0 ? 45 : 32;
      const bytes = secureRandomBytes(size);
      expect(bytes).toHaveLength(size);
      seen.add(bytes.toString('hex'));
    }
    expect(seen.size).toBe(800);
  });

  it('keeps bytes already handed out when the pool is refilled', () => {
    const first = secureRandomBytes(32);
    const copy = Buffer.from(first);
    for (let i = 0; i < 600; i++) secureRandomBytes(32);
    expect(first.equals(copy)).toBe(true);
  });

  it('serves sizes larger than the pool directly', () => {
    expect(secureRandomBytes(20_000)).toHaveLength(20_000);
  });

  it('is not all zeros (the pool is filled)', () => {
    expect(secureRandomBytes(64).some((b) => b !== 0)).toBe(true);
  });
});
