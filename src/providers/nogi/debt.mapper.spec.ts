import { toDebtResponse } from './debt.mapper';

describe('toDebtResponse', () => {
  const loan = { creditorName: 'SANDBOX BANK ASA', loan: { type: 'chargeCard', timestamp: '2026-11-01T00:00:00Z', coBorrower: 0, interestBearingBalance: 100, nonInterestBearingBalance: 5, accountID: 'x' } };

  it("converts consent.exp (epoch seconds) to ISO time, and answers null when NoGi leaves it out (never an empty string)", () => {
    expect(toDebtResponse({ loans: [], consent: { id: 'n', exp: 1785312537, scope: 'debt.unsecured.presentation.90' } }, 'c').consent).toEqual({ id: 'c', scope: 'debt.unsecured.presentation', expiresAt: '2026-07-29T08:08:57.000Z' });
    expect(toDebtResponse({ loans: [], consent: { id: 'n', scope: 'debt.unsecured.presentation' } }, 'c').consent.expiresAt).toBeNull();
  });

  it('keeps only the documented fields of a loan variant and refuses a variant it does not know', () => {
    expect(toDebtResponse({ loans: [loan] }, 'c').loans).toEqual([{ creditorName: 'SANDBOX BANK ASA', loan: { type: 'chargeCard', timestamp: '2026-11-01T00:00:00Z', coBorrower: 0, interestBearingBalance: 100, nonInterestBearingBalance: 5 } }]);
    expect(() => toDebtResponse({ loans: [{ creditorName: 'X', loan: { type: 'studentLoan' } }] }, 'c')).toThrow(expect.objectContaining({ code: 'NOGI_BAD_RESPONSE' }));
  });
});
