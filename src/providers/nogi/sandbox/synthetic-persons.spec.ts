import { debtFor, SYNTHETIC_NATIONAL_IDS } from './synthetic-persons';

const FIELDS: Record<string, string[]> = {
  creditFacility: ['type', 'timestamp', 'coBorrower', 'creditLimit', 'interestBearingBalance', 'nonInterestBearingBalance', 'nominalInterestRate', 'installmentCharges', 'installmentChargePeriod'],
  repaymentLoan: ['type', 'timestamp', 'coBorrower', 'originalBalance', 'balance', 'terms', 'nominalInterestRate', 'installmentCharges', 'installmentChargePeriod'],
  chargeCard: ['type', 'timestamp', 'coBorrower', 'interestBearingBalance', 'nonInterestBearingBalance'],
};

describe('synthetic persons', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');

  it.each(SYNTHETIC_NATIONAL_IDS)('%s has all three loan types in NoGi’s units and one creditor that did not answer', (id) => {
    const debt = debtFor(id, now);
    const types = new Set(debt.loans.map((l) => l.loan?.type).filter(Boolean));
    expect(types).toEqual(new Set(['creditFacility', 'repaymentLoan', 'chargeCard']));
    expect(debt.loans.filter((l) => l.loan === null)).toHaveLength(1);
    expect(debt.numberOfcreditorsMissing).toBe(1);
    for (const { creditorName, loan } of debt.loans) {
      expect(creditorName).toBe(creditorName.toUpperCase());
      if (!loan) continue;
      expect(Object.keys(loan).sort()).toEqual([...FIELDS[loan.type]].sort());
      expect([0, 1, 2]).toContain(loan.coBorrower);
      expect(loan.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(Date.parse(loan.timestamp)).toBeLessThan(now);
      for (const [k, v] of Object.entries(loan)) if (typeof v === 'number') expect({ k, integer: Number.isInteger(v) && v >= 0 }).toEqual({ k, integer: true });
    }
  });

  it('counts answering creditors, not loans', () => {
    const debt = debtFor('14842249091', now);
    const answered = new Set(debt.loans.filter((l) => l.loan).map((l) => l.creditorName)).size;
    expect(debt.numberOfCreditorsAnswered).toBe(answered);
    expect(debt.loans.filter((l) => l.loan).length).toBeGreaterThan(answered);
  });

  it('gives any other person an empty list', () => {
    expect(debtFor('12829499914', now)).toEqual({ loans: [], numberOfCreditorsAnswered: 0, numberOfcreditorsMissing: 0 });
  });
});
