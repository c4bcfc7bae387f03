import { AppError } from '../../common/problem';
import type { CreditorLoanDto, DebtInformationDto } from './debt.dto';

/** NoGi's `debt_information` as it arrives: every field formally optional (no `required` in the spec). */
export interface NogiDebtInformation {
  ssn?: string;
  consent?: { id?: string; exp?: number; scope?: string };
  loans?: Array<{ creditorName?: string; loan?: Record<string, unknown> | null }>;
  numberOfCreditorsAnswered?: number;
  numberOfcreditorsMissing?: number;
}

const LOAN_FIELDS: Record<string, readonly string[]> = {
  creditFacility: ['creditLimit', 'interestBearingBalance', 'nonInterestBearingBalance', 'nominalInterestRate', 'installmentCharges', 'installmentChargePeriod'],
  repaymentLoan: ['originalBalance', 'balance', 'terms', 'nominalInterestRate', 'installmentCharges', 'installmentChargePeriod'],
  chargeCard: ['interestBearingBalance', 'nonInterestBearingBalance'],
};

export function isNogiDebtInformation(body: unknown): body is NogiDebtInformation {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const loans = (body as NogiDebtInformation).loans;
  return loans === undefined || Array.isArray(loans);
}

/**
 * Our response: NoGi's structure without `ssn` (contract), only the documented fields of each loan
 * variant (unknown ones such as accountID are dropped), `consent.exp` converted to ISO time.
 */
export function toDebtResponse(debt: NogiDebtInformation, consentId: string, collectedAt?: Date): DebtInformationDto {
  const loans: CreditorLoanDto[] = (debt.loans ?? []).map((entry) => ({ creditorName: String(entry.creditorName ?? ''), loan: mapLoan(entry.loan) }));
  const exp = debt.consent?.exp;
  return {
    loans,
    numberOfCreditorsAnswered: toInt(debt.numberOfCreditorsAnswered),
    numberOfcreditorsMissing: toInt(debt.numberOfcreditorsMissing ?? loans.filter((l) => l.loan === null).length),
    consent: {
      id: consentId,
      scope: stripDuration(debt.consent?.scope ?? ''),
      expiresAt: typeof exp === 'number' && Number.isFinite(exp) ? new Date(exp * 1000).toISOString() : null,
    },
    ...(collectedAt ? { collectedAt: collectedAt.toISOString() } : {}),
  };
}

function mapLoan(loan: Record<string, unknown> | null | undefined): CreditorLoanDto['loan'] {
  if (loan === null || loan === undefined) return null;
  const type = String(loan.type);
  const fields = LOAN_FIELDS[type];
  if (!fields) throw new AppError('NOGI_BAD_RESPONSE', 'NoGi returned a loan of an unknown type.');
  const out: Record<string, unknown> = { type, timestamp: loan.timestamp, coBorrower: loan.coBorrower };
  for (const field of fields) if (field in loan) out[field] = loan[field];
  return out as unknown as CreditorLoanDto['loan'];
}

function toInt(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/** NoGi's scopes may carry a duration suffix (`debt.unsecured.presentation.365`); the base scope is what we keep. */
export function stripDuration(scope: string): string {
  return scope.replace(/\.\d+$/, '');
}
