import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { actorOf } from '../../audit/audit.service';
import type { Caller } from '../../auth/caller';
import { CurrentCaller, RequireScopes } from '../../auth/scopes.decorator';
import { ApiProblems } from '../../common/api-problems.decorator';
import type { ProblemCode } from '../../common/problem';
import { RequestId } from '../../common/request-id';
import { UuidParam } from '../../common/uuid-param.pipe';
import { DtoQuery } from '../../common/validation';
import { AppConfig } from '../../config/app-config';
import { ConsentDataService } from '../../consents/consent-data.service';
import { providerFor } from '../datasets';
import { TransactionsQueryDto } from './accounts-query.dto';
import { AccountsDto, TransactionsDto } from './accounts.dto';
import { transactionsRequest } from './openbanking-accounts.service';
import { OpenbankingAccountsReader } from './openbanking-accounts.reader';

const READ_PROBLEMS: ProblemCode[] = ['VALIDATION_FAILED', 'UNAUTHENTICATED', 'INSUFFICIENT_SCOPE', 'CONSENT_NOT_FOUND', 'DATASET_MISMATCH', 'CONSENT_NOT_ACTIVE', 'IDENTITY_MISMATCH', 'OPENBANKING_REJECTED', 'OPENBANKING_BAD_RESPONSE', 'OPENBANKING_UNAVAILABLE', 'OPENBANKING_TIMEOUT', 'DEPENDENCY_UNAVAILABLE'];

/** The `accounts` dataset by consent: the partner bank read with the consent's customer as PSU-ID. */
@ApiTags('consents')
@ApiBearerAuth('bearer')
@Controller('v1/consents')
export class OpenbankingConsentsController {
  constructor(
    private readonly data: ConsentDataService,
    private readonly reader: OpenbankingAccountsReader,
    private readonly config: AppConfig,
  ) {}

  @Get(':id/accounts')
  @RequireScopes('accounts:read')
  @ApiParam({ name: 'id', description: 'The consent id', schema: { type: 'string', format: 'uuid' } })
  @ApiOperation({ operationId: 'getConsentAccounts', summary: "The customer's accounts with their balances at the partner bank (amounts as decimal strings)" })
  // ACCOUNT_NOT_FOUND: the bank forgot an account between its list and that account's balances.
  @ApiProblems(200, AccountsDto, [...READ_PROBLEMS, 'ACCOUNT_NOT_FOUND'])
  accounts(@CurrentCaller() caller: Caller, @RequestId() requestId: string, @Param('id', UuidParam) id: string): Promise<AccountsDto> {
    providerFor('accounts', this.config.providers);
    return this.data.read(caller, id, 'accounts', actorOf(caller, requestId), (consent) => this.reader.accountsWithBalances(consent));
  }

  @Get(':id/accounts/:accountId/transactions')
  @RequireScopes('accounts:read')
  @ApiParam({ name: 'id', description: 'The consent id', schema: { type: 'string', format: 'uuid' } })
  @ApiParam({ name: 'accountId', description: "The account's id from the accounts read (the bank's resourceId)", schema: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,100}$' } })
  @ApiOperation({ operationId: 'getConsentAccountTransactions', summary: "One account's booked and pending transactions between from and to (default the last 90 days)" })
  @ApiProblems(200, TransactionsDto, [...READ_PROBLEMS, 'ACCOUNT_NOT_FOUND'])
  transactions(
    @CurrentCaller() caller: Caller,
    @RequestId() requestId: string,
    @Param('id', UuidParam) id: string,
    @Param('accountId') accountId: string,
    @DtoQuery() query: TransactionsQueryDto,
  ): Promise<TransactionsDto> {
    const { dateFrom, dateTo } = transactionsRequest(accountId, query.from, query.to);
    providerFor('accounts', this.config.providers);
    return this.data.read(caller, id, 'accounts', actorOf(caller, requestId), (consent) => this.reader.transactions(consent, accountId, dateFrom, dateTo));
  }
}
