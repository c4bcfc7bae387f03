import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { actorOf } from '../../audit/audit.service';
import type { Caller } from '../../auth/caller';
import { CurrentCaller, RequireScopes } from '../../auth/scopes.decorator';
import { ApiProblems } from '../../common/api-problems.decorator';
import { RequestId } from '../../common/request-id';
import { UuidParam } from '../../common/uuid-param.pipe';
import { ConsentDataService } from '../../consents/consent-data.service';
import { AltinnDataReader } from './altinn-data.reader';
import { IncomeDto } from './skatteetaten/income.dto';
import { TaxAssessmentDto } from './skatteetaten/tax-assessment.dto';

const CONSENT_DATA_PROBLEMS = [
  'VALIDATION_FAILED',
  'UNAUTHENTICATED',
  'INSUFFICIENT_SCOPE',
  'CONSENT_NOT_FOUND',
  'NO_DATA',
  'DATASET_MISMATCH',
  'CONSENT_NOT_ACTIVE',
  'IDENTITY_MISMATCH',
  'ALTINN_REJECTED',
  'ALTINN_BAD_RESPONSE',
  'ALTINN_UNAVAILABLE',
  'ALTINN_TIMEOUT',
  'MASKINPORTEN_REJECTED',
  'MASKINPORTEN_BAD_RESPONSE',
  'MASKINPORTEN_UNAVAILABLE',
  'MASKINPORTEN_TIMEOUT',
  'SKATTEETATEN_REJECTED',
  'SKATTEETATEN_BAD_RESPONSE',
  'SKATTEETATEN_UNAVAILABLE',
  'SKATTEETATEN_TIMEOUT',
  'DEPENDENCY_UNAVAILABLE',
] as const;

/** Collects again from Skatteetaten with an active Altinn consent (tax-assessment, income). */
@ApiTags('consents')
@ApiBearerAuth('bearer')
@Controller('v1/consents')
export class AltinnConsentDataController {
  constructor(
    private readonly data: ConsentDataService,
    private readonly reader: AltinnDataReader,
  ) {}

  @Get(':id/tax-assessment')
  @RequireScopes('income:read')
  @ApiParam({ name: 'id', description: 'The consent id', schema: { type: 'string', format: 'uuid' } })
  @ApiOperation({ operationId: 'getConsentTaxAssessment', summary: 'Collect the tax assessment again with an active tax-assessment consent (no personidentifikator in the answer)' })
  @ApiProblems(200, TaxAssessmentDto, [...CONSENT_DATA_PROBLEMS])
  taxAssessment(@CurrentCaller() caller: Caller, @RequestId() requestId: string, @Param('id', UuidParam) id: string): Promise<TaxAssessmentDto> {
    return this.data.read(caller, id, 'tax-assessment', actorOf(caller, requestId), (consent) => this.reader.read<TaxAssessmentDto>(consent, requestId));
  }

  @Get(':id/income')
  @RequireScopes('income:read')
  @ApiParam({ name: 'id', description: 'The consent id', schema: { type: 'string', format: 'uuid' } })
  @ApiOperation({ operationId: 'getConsentIncome', summary: 'Collect the income again with an active income consent (no inntektsmottaker in the answer)' })
  @ApiProblems(200, IncomeDto, [...CONSENT_DATA_PROBLEMS])
  income(@CurrentCaller() caller: Caller, @RequestId() requestId: string, @Param('id', UuidParam) id: string): Promise<IncomeDto> {
    return this.data.read(caller, id, 'income', actorOf(caller, requestId), (consent) => this.reader.read<IncomeDto>(consent, requestId));
  }
}
