import { Injectable } from '@nestjs/common';
import { AppError } from '../../common/problem';
import type { AccountsDto, TransactionsDto } from './accounts.dto';
import { ACCOUNT_ID_PATTERN } from './accounts.mapper';
import { OpenbankingAccountsClient } from './accounts.client';

const DAY_MS = 86_400_000;
const DEFAULT_DAYS = 90;
const MAX_DAYS = 366;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The `accounts` dataset for one customer: accounts with their balances (one accounts call, then
 * the balances of every account at once) and one account's transactions.
 */
@Injectable()
export class OpenbankingAccountsService {
  constructor(private readonly client: OpenbankingAccountsClient) {}

  async accountsWithBalances(nationalId: string): Promise<AccountsDto> {
    const accounts = await this.client.accounts(nationalId);
    const balances = await Promise.all(accounts.map((account) => this.client.balances(nationalId, account.id)));
    return { accounts: accounts.map((account, i) => ({ ...account, balances: balances[i] })) };
  }

  /** `from`/`to` as YYYY-MM-DD, from ≤ to, at most 366 days apart; default the last 90 days. */
  async transactions(nationalId: string, accountId: string, from?: string, to?: string): Promise<TransactionsDto> {
    const window = transactionsRequest(accountId, from, to);
    const { booked, pending } = await this.client.transactions(nationalId, accountId, window.dateFrom, window.dateTo);
    return { accountId, booked, pending };
  }
}

/**
 * The input of a transactions read, checked (400 naming the field) before anything is looked up:
 * the account id's pattern, and `from`/`to` as YYYY-MM-DD, from ≤ to, at most 366 days apart,
 * by default the last 90 days.
 */
export function transactionsRequest(accountId: string, from: string | undefined, to: string | undefined, now = Date.now()): { dateFrom: string; dateTo: string } {
  if (!ACCOUNT_ID_PATTERN.test(accountId)) throw AppError.validation([{ field: 'accountId', message: 'must be 1–100 characters of A-Z, a-z, 0-9, ".", "_" or "-"' }]);
  const errors = [
    ...(from === undefined || isDate(from) ? [] : [{ field: 'from', message: 'must be a date (YYYY-MM-DD)' }]),
    ...(to === undefined || isDate(to) ? [] : [{ field: 'to', message: 'must be a date (YYYY-MM-DD)' }]),
  ];
  if (errors.length > 0) throw AppError.validation(errors);
  const dateTo = to ?? isoDate(now);
  const dateFrom = from ?? isoDate(Date.parse(dateTo) - DEFAULT_DAYS * DAY_MS);
  const days = (Date.parse(dateTo) - Date.parse(dateFrom)) / DAY_MS;
  if (days < 0) throw AppError.validation([{ field: 'from', message: 'must not be after to' }]);
  if (days > MAX_DAYS) throw AppError.validation([{ field: 'from', message: `must be at most ${MAX_DAYS} days before to` }]);
  return { dateFrom, dateTo };
}

function isDate(value: string): boolean {
  return DATE.test(value) && !Number.isNaN(Date.parse(value)) && new Date(Date.parse(value)).toISOString().startsWith(value);
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
