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
});
