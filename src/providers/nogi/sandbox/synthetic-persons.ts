/** NoGi's loan variants in its units: amounts in øre (NOK × 100), interest rates in percent × 100. */
export type InstallmentChargePeriod = 'MONTHLY' | 'QUARTERLY' | 'HALF-YEARLY' | 'YEARLY';
/** 0 = no co-borrower, 1 = is a co-borrower, 2 = has a co-borrower. */
export type CoBorrower = 0 | 1 | 2;

export interface CreditFacility {
  type: 'creditFacility';
  timestamp: string;
  coBorrower: CoBorrower;
  creditLimit: number;
  interestBearingBalance: number;
  nonInterestBearingBalance: number;
  nominalInterestRate: number;
  installmentCharges: number;
  installmentChargePeriod: InstallmentChargePeriod;
}

export interface RepaymentLoan {
  type: 'repaymentLoan';
  timestamp: string;
  coBorrower: CoBorrower;
  originalBalance: number;
  balance: number;
  terms: number;
  nominalInterestRate: number;
  installmentCharges: number;
  installmentChargePeriod: InstallmentChargePeriod;
}

export interface ChargeCard {
  type: 'chargeCard';
  timestamp: string;
  coBorrower: CoBorrower;
  interestBearingBalance: number;
  nonInterestBearingBalance: number;
}

export type Loan = CreditFacility | RepaymentLoan | ChargeCard;
export interface CreditorLoan {
  creditorName: string;
  loan: Loan | null;
}

type LoanTemplate =
  | { creditorName: string; loan: null }
  | { creditorName: string; ageHours: number; loan: Omit<CreditFacility, 'timestamp'> | Omit<RepaymentLoan, 'timestamp'> | Omit<ChargeCard, 'timestamp'> };

/** NoGi's documented synthetic persons with mocked debt (nogi-consent-service.txt §1.3). */
export const SYNTHETIC_NATIONAL_IDS = ['14842249091', '29868099311'] as const;

const PERSONS: Record<string, LoanTemplate[]> = {
  '14842249091': [
    { creditorName: 'SANDBOX BANK ASA', ageHours: 2, loan: { type: 'repaymentLoan', coBorrower: 2, originalBalance: 25000000, balance: 18734500, terms: 54, nominalInterestRate: 1290, installmentCharges: 5000, installmentChargePeriod: 'MONTHLY' } },
    { creditorName: 'SANDBOX BANK ASA', ageHours: 2, loan: { type: 'creditFacility', coBorrower: 0, creditLimit: 5000000, interestBearingBalance: 1231000, nonInterestBearingBalance: 45300, nominalInterestRate: 2190, installmentCharges: 4500, installmentChargePeriod: 'MONTHLY' } },
    { creditorName: 'EKSEMPEL FINANS AS', ageHours: 26, loan: { type: 'creditFacility', coBorrower: 0, creditLimit: 3000000, interestBearingBalance: 0, nonInterestBearingBalance: 0, nominalInterestRate: 1995, installmentCharges: 0, installmentChargePeriod: 'MONTHLY' } },
    { creditorName: 'TESTKORT NORGE AS', ageHours: 5, loan: { type: 'chargeCard', coBorrower: 0, interestBearingBalance: 6069400, nonInterestBearingBalance: 641000 } },
    { creditorName: 'FORBRUKSLÅN DEMO AS', ageHours: 49, loan: { type: 'repaymentLoan', coBorrower: 1, originalBalance: 15000000, balance: 9876500, terms: 37, nominalInterestRate: 1020, installmentCharges: 9500, installmentChargePeriod: 'MONTHLY' } },
    // A creditor that did not answer: NoGi reports the loan as null and counts it in numberOfcreditorsMissing.
    { creditorName: 'TREG KREDITT AS', loan: null },
  ],
  '29868099311': [
    { creditorName: 'NORDLYS SPAREBANK', ageHours: 3, loan: { type: 'repaymentLoan', coBorrower: 0, originalBalance: 40000000, balance: 39120000, terms: 118, nominalInterestRate: 1499, installmentCharges: 6500, installmentChargePeriod: 'MONTHLY' } },
    { creditorName: 'EKSEMPEL FINANS AS', ageHours: 26, loan: { type: 'creditFacility', coBorrower: 2, creditLimit: 10000000, interestBearingBalance: 7423100, nonInterestBearingBalance: 120000, nominalInterestRate: 2450, installmentCharges: 3500, installmentChargePeriod: 'MONTHLY' } },
    { creditorName: 'TESTKORT NORGE AS', ageHours: 5, loan: { type: 'chargeCard', coBorrower: 1, interestBearingBalance: 1545000, nonInterestBearingBalance: 289900 } },
    { creditorName: 'TREG KREDITT AS', loan: null },
  ],
};

export interface DebtSnapshot {
  loans: CreditorLoan[];
  numberOfCreditorsAnswered: number;
  numberOfcreditorsMissing: number;
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Loans as NoGi would answer now; any other valid person has no debt registered. */
export function debtFor(nationalId: string, nowMs: number): DebtSnapshot {
  const templates = PERSONS[nationalId] ?? [];
  const loans: CreditorLoan[] = templates.map((t) =>
    t.loan === null
      ? { creditorName: t.creditorName, loan: null }
      : { creditorName: t.creditorName, loan: { ...t.loan, timestamp: isoSeconds(nowMs - t.ageHours * 3_600_000) } as Loan },
  );
  // Counted per creditor, not per loan.
  const answered = new Set(loans.filter((l) => l.loan !== null).map((l) => l.creditorName));
  const missing = new Set(loans.filter((l) => l.loan === null).map((l) => l.creditorName));
  return { loans, numberOfCreditorsAnswered: answered.size, numberOfcreditorsMissing: missing.size };
}
