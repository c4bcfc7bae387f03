import type { AccountDto, AmountDto, BalanceDto, TransactionDto } from './accounts.dto';

/** Berlin Group's amount pattern: a decimal string, kept as text (never parsed to a float). */
export const AMOUNT_PATTERN = /^-?[0-9]{1,14}(\.[0-9]{1,3})?$/;
const CURRENCY = /^[A-Z]{3}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** The contract's account id: the bank's resourceId, 1–100 characters of [A-Za-z0-9._-]. */
export const ACCOUNT_ID_PATTERN = /^[A-Za-z0-9._-]{1,100}$/;
const MAX_TEXT = 500;

/** The bank answered 200 with a body we cannot represent; `what` names the part, never a value. */
export class UnusableAnswerError extends Error {}

type Json = Record<string, unknown>;

export type PartnerAccount = Omit<AccountDto, 'balances'>;

/** `GET /v1/accounts` → the accounts (without balances yet). */
export function mapAccountList(body: unknown): PartnerAccount[] {
  const accounts = object(body, 'body').accounts;
  if (!Array.isArray(accounts)) throw new UnusableAnswerError('accounts is not a list');
  return accounts.map((raw, i) => {
    const a = object(raw, `accounts[${i}]`);
    const id = text(a.resourceId, `accounts[${i}].resourceId`);
    if (!ACCOUNT_ID_PATTERN.test(id)) throw new UnusableAnswerError(`accounts[${i}].resourceId is not a usable id`);
    const currency = text(a.currency, `accounts[${i}].currency`);
    if (!CURRENCY.test(currency)) throw new UnusableAnswerError(`accounts[${i}].currency`);
    return {
      id,
      name: text(a.name, `accounts[${i}].name`),
      bban: text(a.bban, `accounts[${i}].bban`),
      ...optionalText(a.iban, 'iban', `accounts[${i}].iban`),
      currency,
      ...optionalText(a.product, 'product', `accounts[${i}].product`),
    };
  });
}

/** `GET /v1/accounts/{id}/balances` → the balances. */
export function mapBalances(body: unknown): BalanceDto[] {
  const balances = object(body, 'body').balances;
  if (!Array.isArray(balances)) throw new UnusableAnswerError('balances is not a list');
  return balances.map((raw, i) => {
    const b = object(raw, `balances[${i}]`);
    const { amount, currency } = amountOf(b.balanceAmount, `balances[${i}].balanceAmount`);
    return {
      type: text(b.balanceType, `balances[${i}].balanceType`),
      amount,
      currency,
      ...optionalDate(b.referenceDate, 'referenceDate', `balances[${i}].referenceDate`),
    };
  });
}

/** `GET /v1/accounts/{id}/transactions` → booked and pending, in NextGenPSD2 1.3 names. */
export function mapTransactions(body: unknown): { booked: TransactionDto[]; pending: TransactionDto[] } {
  const transactions = object(object(body, 'body').transactions, 'transactions');
  const list = (value: unknown, where: string): TransactionDto[] => {
    if (value === undefined) return [];
    if (!Array.isArray(value)) throw new UnusableAnswerError(`${where} is not a list`);
    return value.map((raw, i) => transaction(object(raw, `${where}[${i}]`), `${where}[${i}]`));
  };
  return { booked: list(transactions.booked, 'booked'), pending: list(transactions.pending, 'pending') };
}

function transaction(t: Json, where: string): TransactionDto {
  return {
    ...optionalText(t.transactionId, 'transactionId', `${where}.transactionId`),
    ...optionalDate(t.bookingDate, 'bookingDate', `${where}.bookingDate`),
    ...optionalDate(t.valueDate, 'valueDate', `${where}.valueDate`),
    transactionAmount: amountOf(t.transactionAmount, `${where}.transactionAmount`),
    ...optionalText(t.creditorName, 'creditorName', `${where}.creditorName`),
    ...optionalText(t.debtorName, 'debtorName', `${where}.debtorName`),
    ...optionalText(t.remittanceInformationUnstructured, 'remittanceInformationUnstructured', `${where}.remittanceInformationUnstructured`),
  };
}

function amountOf(value: unknown, where: string): AmountDto {
  const a = object(value, where);
  if (typeof a.amount !== 'string' || !AMOUNT_PATTERN.test(a.amount)) throw new UnusableAnswerError(`${where}.amount is not a decimal string`);
  if (typeof a.currency !== 'string' || !CURRENCY.test(a.currency)) throw new UnusableAnswerError(`${where}.currency`);
  return { amount: a.amount, currency: a.currency };
}

function object(value: unknown, where: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UnusableAnswerError(`${where} is not an object`);
  return value as Json;
}

function text(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_TEXT) throw new UnusableAnswerError(`${where} is missing or not text`);
  return value;
}

function optionalText<K extends string>(value: unknown, key: K, where: string): Partial<Record<K, string>> {
  if (value === undefined || value === null) return {};
  return { [key]: text(value, where) } as Partial<Record<K, string>>;
}

function optionalDate<K extends string>(value: unknown, key: K, where: string): Partial<Record<K, string>> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'string' || !DATE.test(value)) throw new UnusableAnswerError(`${where} is not a date`);
  return { [key]: value } as Partial<Record<K, string>>;
}
