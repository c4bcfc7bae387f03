import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Caller } from '../auth/caller';
import { CurrentCaller, RequireScopes } from '../auth/scopes.decorator';
import { ApiProblems } from '../common/api-problems.decorator';
import { RequestId } from '../common/request-id';
import { DtoBody } from '../common/validation';
import { UuidParam } from '../common/uuid-param.pipe';
import { DebtInformationDto } from '../providers/nogi/debt.dto';
import { ConsentFlowResponseDto, StartConsentFlowRequestDto, StartConsentFlowResponseDto } from './consent-flow.dto';
import { ConsentFlowService } from './consent-flow.service';

@ApiTags('consent-flows')
@Controller('v1/consent-flows')
export class ConsentFlowController {
  constructor(private readonly flows: ConsentFlowService) {}

  @Post()
  @RequireScopes('consent:write')
  @ApiBearerAuth('bearer')
  @ApiOperation({ operationId: 'startConsentFlow', summary: 'Start a consent flow for one customer (debt at NoGi; tax-assessment and income at Altinn)', description: 'Scope: consent:write.' })
  @ApiProblems(201, StartConsentFlowResponseDto, ['VALIDATION_FAILED', 'MALFORMED_BODY', 'UNAUTHENTICATED', 'INSUFFICIENT_SCOPE', 'FORBIDDEN', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE', 'DEPENDENCY_UNAVAILABLE', 'ALTINN_REJECTED', 'ALTINN_BAD_RESPONSE', 'ALTINN_UNAVAILABLE', 'ALTINN_TIMEOUT', 'MASKINPORTEN_REJECTED', 'MASKINPORTEN_BAD_RESPONSE', 'MASKINPORTEN_UNAVAILABLE', 'MASKINPORTEN_TIMEOUT'])
  start(@CurrentCaller() caller: Caller, @DtoBody() body: StartConsentFlowRequestDto, @RequestId() requestId: string): Promise<StartConsentFlowResponseDto> {
    return this.flows.start(caller, body, requestId);
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
    return this.flows.getData<DebtInformationDto>(caller, id, 'debt', requestId);
  }
}
