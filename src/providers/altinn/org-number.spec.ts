import { isValidOrgNumber } from './org-number';

describe('isValidOrgNumber', () => {
  it("accepts real organisation numbers (Brønnøysundregistrene's own, DNB, Digdir)", () => {
    for (const orgnr of ['974760673', '984851006', '991825827']) expect(isValidOrgNumber(orgnr)).toBe(true);
  });

  it('refuses a wrong check digit, the wrong length and non-digits', () => {
    expect(isValidOrgNumber('974760674')).toBe(false);
    expect(isValidOrgNumber('97476067')).toBe(false);
    expect(isValidOrgNumber('9747606730')).toBe(false);
    expect(isValidOrgNumber('97476067a')).toBe(false);
    expect(isValidOrgNumber(974760673)).toBe(false);
  });

  it('refuses a number whose check digit would have to be 10, and takes 0 when the remainder is 0', () => {
    // 00000300x: 3 × 4 = 12, remainder 1, check digit 10: no last digit makes it valid.
    for (let d = 0; d <= 9; d++) expect(isValidOrgNumber(`00000300${d}`)).toBe(false);
    // 00000011x: 1 × 3 + 1 × 2 = 5, check 6; 00000000x: remainder 0, check 0.
    expect(isValidOrgNumber('000000116')).toBe(true);
    expect(isValidOrgNumber('000000000')).toBe(true);
  });
});
