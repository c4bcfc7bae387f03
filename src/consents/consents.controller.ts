import { Controller, Delete, Get, Headers, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { actorOf } from '../audit/audit.service';
import type { Caller } from '../auth/caller';
import { CurrentCaller, RequireScopes } from '../auth/scopes.decorator';
import { ApiProblems } from '../common/api-problems.decorator';
import { RequestId } from '../common/request-id';
import { UuidParam } from '../common/uuid-param.pipe';
import { DtoBody, DtoQuery } from '../common/validation';
import { DebtInformationDto } from '../providers/nogi/debt.dto';
import { NogiDebtReader } from '../providers/nogi/nogi-debt.reader';
import { ConsentDataService } from './consent-data.service';
import { ConsentListResponseDto, ConsentResponseDto, GetConsentQueryDto, ListConsentsQueryDto, RegisterConsentRequestDto } from './consent.dto';
import { ConsentRegistrationService } from './consent-registration.service';
import { ConsentsService } from './consents.service';

@ApiTags('consents')
@ApiBearerAuth('bearer')
@Controller('v1/consents')
export class ConsentsController {
  constructor(
    private readonly consents: ConsentsService,
    private readonly registration: ConsentRegistrationService,
    private readonly data: ConsentDataService,
    private readonly debtReader: NogiDebtReader,
  ) {}

  @Post()
  @HttpCode(201)
  @RequireScopes('consent:write')
  @ApiOperation({
    operationId: 'registerConsent',
    summary: "Register a consent captured in the bank's own channel: debt (registered at NoGi's Agreement API) or accounts (recorded here; customer token only)",
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'Scoped to the caller (and to the customer, for customer tokens), kept 24 hours: a replay with the same body answers the original status and body and never creates a second consent, here or at NoGi; another body is 422 IDEMPOTENCY_KEY_REUSED',
    schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$', example: '3f0c9a52-7d1e-4b8a-9c55-0e2f6a1b7d43' },
  })
  @ApiProblems(201, ConsentResponseDto, ['VALIDATION_FAILED', 'MALFORMED_BODY', 'UNAUTHENTICATED', 'INSUFFICIENT_SCOPE', 'FORBIDDEN', 'CUSTOMER_PRESENCE_REQUIRED', 'CONSENT_CONFLICT', 'IDEMPOTENCY_IN_PROGRESS', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE', 'CONSENT_REJECTED', 'IDEMPOTENCY_KEY_REUSED', 'NOGI_REJECTED', 'NOGI_BAD_RESPONSE', 'NOGI_UNAVAILABLE', 'NOGI_TIMEOUT', 'DEPENDENCY_UNAVAILABLE'])
  register(
    @CurrentCaller() caller: Caller,
    @RequestId() requestId: string,
    @DtoBody() body: RegisterConsentRequestDto,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<ConsentResponseDto> {
    return this.registration.register(caller, body, idempotencyKey, actorOf(caller, requestId));
  }

  @Get()
  @RequireScopes('consent:read')
  @ApiOperation({ operationId: 'listConsents', summary: "A customer's consents, newest first" })
  @ApiHeader({
    name: 'X-National-Id',
    required: false,
    description: 'The customer (11 digits), never in the URL. Required for service tokens without consent:admin; a customer token may omit it or give its own',
    schema: { type: 'string', pattern: '^[0-9]{11}$', example: '14842249091' },
  })
  @ApiProblems(200, ConsentListResponseDto, ['VALIDATION_FAILED', 'UNAUTHENTICATED', 'INSUFFICIENT_SCOPE', 'FORBIDDEN', 'DEPENDENCY_UNAVAILABLE'])
  list(
    @CurrentCaller() caller: Caller,
    @RequestId() requestId: string,
    @DtoQuery() query: ListConsentsQueryDto,
    @Headers('x-national-id') nationalId?: string,
  ): Promise<ConsentListResponseDto> {
    return this.consents.list(caller, nationalId, query, actorOf(caller, requestId));
  }

  @Get(':id')
  @RequireScopes('consent:read')
  @ApiParam({ name: 'id', description: 'The consent id', schema: { type: 'string', format: 'uuid' } })
  @ApiOperation({ operationId: 'getConsent', summary: "One consent; ?refresh=true re-reads the provider's status first (NoGi, Altinn)" })
  @ApiProblems(200, ConsentResponseDto, ['VALIDATION_FAILED', 'UNAUTHENTICATED', 'INSUFFICIENT_SCOPE', 'CONSENT_NOT_FOUND', 'NOGI_REJECTED', 'NOGI_BAD_RESPONSE', 'NOGI_UNAVAILABLE', 'NOGI_TIMEOUT', 'ALTINN_REJECTED', 'ALTINN_BAD_RESPONSE', 'ALTINN_UNAVAILABLE', 'ALTINN_TIMEOUT', 'MASKINPORTEN_REJECTED', 'MASKINPORTEN_BAD_RESPONSE', 'MASKINPORTEN_UNAVAILABLE', 'MASKINPORTEN_TIMEOUT', 'DEPENDENCY_UNAVAILABLE'])
  get(
    @CurrentCaller() caller: Caller,
    @RequestId() requestId: string,
    @Param('id', UuidParam) id: string,
    @DtoQuery() query: GetConsentQueryDto,
  ): Promise<ConsentResponseDto> {
    return this.consents.get(caller, id, query.refresh === 'true', actorOf(caller, requestId));
  }

  @Delete(':id')
  @RequireScopes('consent:admin', 'consent:write')
  @ApiParam({ name: 'id', description: 'The consent id', schema: { type: 'string', format: 'uuid' } })
  @ApiOperation({ operationId: 'revokeConsent', summary: 'Revoke at NoGi: 204 when confirmed, 202 (revoking) when queued for retry', description: 'Idempotent. consent:admin, or consent:write for a customer token revoking its own consent.' })
  @ApiProblems(204, undefined, ['VALIDATION_FAILED', 'UNAUTHENTICATED', 'INSUFFICIENT_SCOPE', 'CONSENT_NOT_FOUND', 'DEPENDENCY_UNAVAILABLE'])
  @ApiResponse({ status: 202, type: ConsentResponseDto, description: 'Accepted: NoGi could not confirm yet; the consent is `revoking` and the revocation is retried until NoGi answers' })
  async revoke(
    @CurrentCaller() caller: Caller,
    @RequestId() requestId: string,
    @Param('id', UuidParam) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ConsentResponseDto | undefined> {
    const result = await this.consents.revoke(caller, id, actorOf(caller, requestId));
    void reply.status(result.status);
    return result.status === 202 ? result.body : undefined;
  }

  @Get(':id/debt')
  @RequireScopes('debt:read')
  @ApiParam({ name: 'id', description: 'The consent id', schema: { type: 'string', format: 'uuid' } })
  @ApiOperation({ operationId: 'getConsentDebt', summary: 'Collect debt with an extended-duration consent (no ssn in the answer)' })
  @ApiProblems(200, DebtInformationDto, ['VALIDATION_FAILED', 'UNAUTHENTICATED', 'INSUFFICIENT_SCOPE', 'CONSENT_NOT_FOUND', 'DATASET_MISMATCH', 'CONSENT_NOT_ACTIVE', 'IDENTITY_MISMATCH', 'NOGI_REJECTED', 'NOGI_BAD_RESPONSE', 'NOGI_UNAVAILABLE', 'NOGI_TIMEOUT', 'DEPENDENCY_UNAVAILABLE'])
  debt(@CurrentCaller() caller: Caller, @RequestId() requestId: string, @Param('id', UuidParam) id: string): Promise<DebtInformationDto> {
    return this.data.read(caller, id, 'debt', actorOf(caller, requestId), (consent) => this.debtReader.read(consent, requestId));
  }
}
