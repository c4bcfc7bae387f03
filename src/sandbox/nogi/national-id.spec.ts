import { isValidNationalId } from './national-id';

describe('isValidNationalId', () => {
  it('accepts NoGi’s synthetic persons and other ids with valid mod-11 check digits', () => {
    for (const id of ['14842249091', '29868099311', '12829499914']) expect(isValidNationalId(id)).toBe(true);
  });

  it('accepts ids without a real birth date (synthetic month + 80, D-numbers)', () => {
    expect(isValidNationalId('14842249091')).toBe(true);
  });

  it('refuses a wrong check digit, wrong length, non-digits and non-strings', () => {
    for (const id of ['14842249092', '14842249081', '1484224909', '148422490911', '1484224909a', '', 14842249091, undefined, null]) {
      expect(isValidNationalId(id)).toBe(false);
    }
  });

  it('refuses ids whose first check digit would be 10', () => {
    // Brute-force a 9-digit prefix whose weighted sum gives k1 = 10; no 11-digit completion is valid.
    const w = [3, 7, 6, 1, 8, 9, 4, 5, 2];
    let prefix = '';
    for (let n = 10000000; n < 10000999; n++) {
      const p = `0${n}`;
      if (11 - ([...p].reduce((a, d, i) => a + Number(d) * w[i], 0) % 11) === 10) {
        prefix = p;
        break;
      }
    }
    expect(prefix).not.toBe('');
    for (let k = 0; k < 100; k++) expect(isValidNationalId(`${prefix}${String(k).padStart(2, '0')}`)).toBe(false);
  });
});
