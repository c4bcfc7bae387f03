import { Body, Controller, Get, Header, HttpCode, Param, Post, Redirect, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Caller } from '../auth/caller';
import { CurrentCaller, Public, RequireScopes } from '../auth/scopes.decorator';
import { ApiProblems } from '../common/api-problems.decorator';
import { AppError } from '../common/problem';
import { RequestId } from '../common/request-id';
import { UuidParam } from '../common/uuid-param.pipe';
import { DebtInformationDto } from '../providers/nogi/debt.dto';
import { humanPaced } from '../providers/nogi/nogi-circuit';
import { ConsentFlowResponseDto, StartConsentFlowRequestDto, StartConsentFlowResponseDto } from './consent-flow.dto';
import { ConsentFlowService } from './consent-flow.service';
import { GuardedCallbackRequest, NogiCallbackGuard } from '../providers/nogi/nogi-callback.guard';

@ApiTags('consent-flows')
@Controller('v1/consent-flows')
export class ConsentFlowController {
  constructor(private readonly flows: ConsentFlowService) {}

  @Post()
  @RequireScopes('consent:write')
  @ApiBearerAuth('bearer')
  @ApiOperation({ operationId: 'startConsentFlow', summary: 'Start a NoGi consent flow for one customer', description: 'Scope: consent:write.' })
  @ApiProblems(201, StartConsentFlowResponseDto, ['VALIDATION_FAILED', 'MALFORMED_BODY', 'UNAUTHENTICATED', 'INSUFFICIENT_SCOPE', 'FORBIDDEN', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE', 'DEPENDENCY_UNAVAILABLE'])
  start(@CurrentCaller() caller: Caller, @Body() body: StartConsentFlowRequestDto): Promise<StartConsentFlowResponseDto> {
    return this.flows.start(caller, body);
  }

  /** The redirect_uri registered at NoGi; the only route a browser reaches from the internet. */
  @Get('callback')
  @Public()
  @UseGuards(NogiCallbackGuard)
  @Redirect(undefined, 303)
  @Header('referrer-policy', 'no-referrer')
  @ApiOperation({
    operationId: 'completeConsentFlow',
    summary: "NoGi's redirect back to the bank (browser)",
    description:
      'Consumes the state once, exchanges the code, collects the debt once, checks the identity and redirects (303) to the returnUrl with flowId and status. ' +
      'NoGi sends either code and scope, or error and error_description, always with state. A 400 is an HTML page for Accept: text/html.',
  })
  @ApiQuery({ name: 'state', required: true, description: 'The state this service sent to NoGi (one-time)', schema: { type: 'string' } })
  @ApiQuery({ name: 'code', required: false, description: "NoGi's authorization code (success)", schema: { type: 'string' } })
  @ApiQuery({ name: 'scope', required: false, description: 'The granted scope, base scopes only (success)', schema: { type: 'string', example: 'debt.unsecured.presentation openid' } })
  @ApiQuery({ name: 'error', required: false, description: "NoGi's error code (failure)", schema: { type: 'string', example: 'consent_denied' } })
  @ApiQuery({ name: 'error_description', required: false, description: "NoGi's error text (failure; never shown to the customer)", schema: { type: 'string' } })
  @ApiProblems(303, undefined, ['INVALID_STATE', 'VALIDATION_FAILED', 'DEPENDENCY_UNAVAILABLE'])
  async callback(@Req() request: GuardedCallbackRequest, @RequestId() requestId: string): Promise<{ url: string }> {
    const query = request.query as Record<string, unknown>;
    const outcome = request.nogiCallback;
    let target: URL;
    if (typeof query.error === 'string') target = await this.flows.handleNogiError(query.state, query.error, requestId);
    // Human-paced: the ID token's keys, the debt collection and a discarded consent's revocation
    // are tried even while NoGi's breakers are open (the customer has just finished BankID).
    else if (outcome) target = await humanPaced(() => this.flows.complete(outcome, query.scope, requestId));
    else throw AppError.validation([{ field: 'code', message: 'the callback needs either code and state, or error and state' }]);
    return { url: target.toString() };
  }

  @Get(':id')
  @RequireScopes('consent:read')
  @ApiBearerAuth('bearer')
  @ApiParam({ name: 'id', description: 'The flow id', schema: { type: 'string', format: 'uuid' } })
  @ApiOperation({ operationId: 'getConsentFlow', summary: 'Read a consent flow', description: 'Scope: consent:read. Readable for 24 hours.' })
  @ApiProblems(200, ConsentFlowResponseDto, ['VALIDATION_FAILED', 'UNAUTHENTICATED', 'INSUFFICIENT_SCOPE', 'FLOW_NOT_FOUND', 'DEPENDENCY_UNAVAILABLE'])
  get(@CurrentCaller() caller: Caller, @Param('id', UuidParam) id: string): Promise<ConsentFlowResponseDto> {
    return this.flows.get(caller, id);
  }

  @Get(':id/debt')
  @HttpCode(200)
  @RequireScopes('debt:read')
  @ApiBearerAuth('bearer')
  @ApiParam({ name: 'id', description: 'The flow id', schema: { type: 'string', format: 'uuid' } })
  @ApiOperation({ operationId: 'getConsentFlowDebt', summary: 'The debt information the flow collected', description: 'Scope: debt:read. Never fetched from NoGi a second time.' })
  @ApiProblems(200, DebtInformationDto, ['VALIDATION_FAILED', 'UNAUTHENTICATED', 'INSUFFICIENT_SCOPE', 'FLOW_NOT_FOUND', 'DATASET_MISMATCH', 'FLOW_NOT_COMPLETED', 'FLOW_DEBT_GONE', 'DEPENDENCY_UNAVAILABLE'])
  debt(@CurrentCaller() caller: Caller, @Param('id', UuidParam) id: string, @RequestId() requestId: string): Promise<DebtInformationDto> {
    return this.flows.getDebt(caller, id, requestId);
  }
}
