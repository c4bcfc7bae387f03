import { isValidNationalId } from './national-id';

describe('isValidNationalId', () => {
  it.each(['14842249091', '29868099311'])('accepts NoGi synthetic person %s despite the shifted month', (nid) => {
    expect(isValidNationalId(nid)).toBe(true);
  });

  it.each([
    ['a wrong first check digit', '14842249081'],
    ['a wrong second check digit', '14842249092'],
    ['ten digits', '1484224909'],
    ['twelve digits', '148422490911'],
    ['letters', '1484224909a'],
    ['spaces', '148422 49091'],
  ])('rejects %s', (_why, nid) => {
    expect(isValidNationalId(nid)).toBe(false);
  });

  it('rejects non-strings', () => {
    expect(isValidNationalId(14842249091)).toBe(false);
    expect(isValidNationalId(undefined)).toBe(false);
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
