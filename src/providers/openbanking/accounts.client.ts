import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppError } from '../../common/problem';
import { upstreamBadResponse, upstreamFailure, UpstreamResponse, upstreamStatusFailure } from '../upstream/upstream';
import type { BalanceDto, TransactionDto } from './accounts.dto';
import { mapAccountList, mapBalances, mapTransactions, PartnerAccount, UnusableAnswerError } from './accounts.mapper';
import { OPENBANKING_CREDENTIALS, type OpenbankingCredentials } from './openbanking-credentials';
import { OpenbankingHttpClient } from './openbanking-http.client';
import { OpenbankingConfig } from './openbanking.config';

/** The bank answered 404 for an account: not the customer's, or gone. */
export class PartnerAccountNotFoundError extends AppError {
  constructor() {
    super('ACCOUNT_NOT_FOUND', 'The partner bank knows no such account for this customer.');
    this.name = 'PartnerAccountNotFoundError';
  }
}

type Operation = 'accounts.list' | 'accounts.balances' | 'accounts.transactions';

/**
 * The partner bank's account API (NextGenPSD2 1.3 shapes): accounts, balances and transactions of
 * one customer. Every call carries PSU-ID (the customer's national id), a new X-Request-ID and
 * Accept: application/json, plus the mode's credentials. GETs, so transient failures are retried
 * within the timeout budget. Neither PSU-ID nor the bank's body is ever logged.
 */
@Injectable()
export class OpenbankingAccountsClient {
  private readonly logger = new Logger(OpenbankingAccountsClient.name);

  constructor(
    private readonly config: OpenbankingConfig,
    private readonly http: OpenbankingHttpClient,
    @Inject(OPENBANKING_CREDENTIALS) private readonly credentials: OpenbankingCredentials,
  ) {}

  async accounts(nationalId: string): Promise<PartnerAccount[]> {
    const response = await this.call('accounts.list', nationalId, '/v1/accounts');
    return this.mapped(response, 'accounts.list', mapAccountList);
  }

  /** `accountId` must already match ACCOUNT_ID_PATTERN (it is still URL-encoded here). */
  async balances(nationalId: string, accountId: string): Promise<BalanceDto[]> {
    const response = await this.call('accounts.balances', nationalId, `/v1/accounts/${encodeURIComponent(accountId)}/balances`);
    return this.mapped(response, 'accounts.balances', mapBalances);
  }

  /** Booked and pending transactions with dates from `dateFrom` to `dateTo` (YYYY-MM-DD). */
  async transactions(nationalId: string, accountId: string, dateFrom: string, dateTo: string): Promise<{ booked: TransactionDto[]; pending: TransactionDto[] }> {
    const query = new URLSearchParams({ bookingStatus: 'both', dateFrom, dateTo }).toString();
    const response = await this.call('accounts.transactions', nationalId, `/v1/accounts/${encodeURIComponent(accountId)}/transactions?${query}`);
    return this.mapped(response, 'accounts.transactions', mapTransactions);
  }

  private async call(operation: Operation, nationalId: string, path: string): Promise<UpstreamResponse> {
    const url = `${this.config.apiUrl}${path}`;
    try {
      return await this.http.sendIdempotent(operation, () =>
        this.credentials.authorize((auth) =>
          this.http.send({
            operation,
            method: 'GET',
            url,
            headers: { ...auth, 'PSU-ID': nationalId, 'X-Request-ID': randomUUID(), accept: 'application/json' },
          }),
        ),
      );
    } catch (error) {
      throw upstreamFailure(error, operation);
    }
  }

  private mapped<T>(response: UpstreamResponse, operation: Operation, map: (body: unknown) => T): T {
    if (response.status === 200) {
      try {
        return map(response.body);
      } catch (error) {
        if (!(error instanceof UnusableAnswerError)) throw error;
        // The part that did not fit, never a value from the body.
        this.logger.warn({ operation, problem: error.message }, 'The partner bank answered with something we cannot use');
        throw upstreamBadResponse('openbanking', 200, operation, 'The partner bank answered with data we cannot use.');
      }
    }
    this.logger.warn({ operation, status: response.status }, 'The partner bank refused a call');
    if (response.status === 404 && operation !== 'accounts.list') throw new PartnerAccountNotFoundError();
    if (response.status >= 200 && response.status < 300) throw upstreamBadResponse('openbanking', response.status, operation, 'The partner bank answered unexpectedly.');
    throw upstreamStatusFailure('openbanking', response.status, operation);
  }
}
