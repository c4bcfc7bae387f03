import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Caller } from '../../auth/caller';
import { CurrentCaller, RequireScopes } from '../../auth/scopes.decorator';
import { ApiProblems } from '../../common/api-problems.decorator';
import { RequestId } from '../../common/request-id';
import { UuidParam } from '../../common/uuid-param.pipe';
import { ConsentFlowService } from '../../consent-flow/consent-flow.service';
import { IncomeDto } from './skatteetaten/income.dto';
import { TaxAssessmentDto } from './skatteetaten/tax-assessment.dto';

const FLOW_DATA_PROBLEMS = ['VALIDATION_FAILED', 'UNAUTHENTICATED', 'INSUFFICIENT_SCOPE', 'FLOW_NOT_FOUND', 'DATASET_MISMATCH', 'FLOW_NOT_COMPLETED', 'FLOW_DEBT_GONE', 'NO_DATA', 'DEPENDENCY_UNAVAILABLE'] as const;

/** What an Altinn flow collected in its callback, readable for FLOW_DEBT_TTL_SECONDS; never fetched again. */
@ApiTags('consent-flows')
@ApiBearerAuth('bearer')
@Controller('v1/consent-flows')
export class AltinnFlowDataController {
  constructor(private readonly flows: ConsentFlowService) {}

  @Get(':id/tax-assessment')
  @RequireScopes('income:read')
  @ApiParam({ name: 'id', description: 'The flow id', schema: { type: 'string', format: 'uuid' } })
  @ApiOperation({ operationId: 'getConsentFlowTaxAssessment', summary: 'The tax assessment the flow collected', description: 'Scope: income:read. Skatteetaten’s summert skattegrunnlag without personidentifikator.' })
  @ApiProblems(200, TaxAssessmentDto, [...FLOW_DATA_PROBLEMS])
  taxAssessment(@CurrentCaller() caller: Caller, @Param('id', UuidParam) id: string, @RequestId() requestId: string): Promise<TaxAssessmentDto> {
    return this.flows.getData<TaxAssessmentDto>(caller, id, 'tax-assessment', requestId);
  }

  @Get(':id/income')
  @RequireScopes('income:read')
  @ApiParam({ name: 'id', description: 'The flow id', schema: { type: 'string', format: 'uuid' } })
  @ApiOperation({ operationId: 'getConsentFlowIncome', summary: 'The income the flow collected', description: 'Scope: income:read. Skatteetaten’s inntekt without inntektsmottaker.' })
  @ApiProblems(200, IncomeDto, [...FLOW_DATA_PROBLEMS])
  income(@CurrentCaller() caller: Caller, @Param('id', UuidParam) id: string, @RequestId() requestId: string): Promise<IncomeDto> {
    return this.flows.getData<IncomeDto>(caller, id, 'income', requestId);
  }
}
