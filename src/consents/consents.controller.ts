import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { actorOf } from '../audit/audit.service';
import type { Caller } from '../auth/caller';
import { CurrentCaller, RequireScopes } from '../auth/scopes.decorator';
import { RequestId } from '../common/request-id';
import { UuidParam } from '../common/uuid-param.pipe';
import { DebtInformationDto } from '../debt/debt.dto';
import { ConsentListResponseDto, ConsentResponseDto, GetConsentQueryDto, ListConsentsQueryDto, RegisterConsentRequestDto } from './consent.dto';
import { ConsentsService } from './consents.service';

@ApiTags('consents')
@ApiBearerAuth('bearer')
@Controller('v1/consents')
export class ConsentsController {
  constructor(private readonly consents: ConsentsService) {}

  @Post()
  @HttpCode(201)
  @RequireScopes('consent:write')
  @ApiOperation({ operationId: 'registerConsent', summary: "Register a consent captured in the bank's own channel (NoGi Agreement API)" })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Scoped to the caller, kept 24 hours' })
  @ApiResponse({ status: 201, type: ConsentResponseDto })
  register(
    @CurrentCaller() caller: Caller,
    @RequestId() requestId: string,
    @Body() body: RegisterConsentRequestDto,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<ConsentResponseDto> {
    return this.consents.register(caller, body, idempotencyKey, actorOf(caller, requestId));
  }

  @Get()
  @RequireScopes('consent:read')
  @ApiOperation({ operationId: 'listConsents', summary: "A customer's consents, newest first" })
  @ApiHeader({ name: 'X-National-Id', required: false, description: 'The customer (required for service tokens without consent:admin)' })
  @ApiResponse({ status: 200, type: ConsentListResponseDto })
  list(
    @CurrentCaller() caller: Caller,
    @RequestId() requestId: string,
    @Query() query: ListConsentsQueryDto,
    @Headers('x-national-id') nationalId?: string,
  ): Promise<ConsentListResponseDto> {
    return this.consents.list(caller, nationalId, query, actorOf(caller, requestId));
  }

  @Get(':id')
  @RequireScopes('consent:read')
  @ApiOperation({ operationId: 'getConsent', summary: "One consent; ?refresh=true re-reads NoGi's status first" })
  @ApiResponse({ status: 200, type: ConsentResponseDto })
  get(
    @CurrentCaller() caller: Caller,
    @RequestId() requestId: string,
    @Param('id', UuidParam) id: string,
    @Query() query: GetConsentQueryDto,
  ): Promise<ConsentResponseDto> {
    return this.consents.get(caller, id, query.refresh === 'true', actorOf(caller, requestId));
  }

  @Delete(':id')
  @RequireScopes('consent:admin', 'consent:write')
  @ApiOperation({ operationId: 'revokeConsent', summary: 'Revoke at NoGi: 204 when confirmed, 202 (revoking) when queued for retry' })
  @ApiResponse({ status: 204 })
  @ApiResponse({ status: 202, type: ConsentResponseDto })
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
  @ApiOperation({ operationId: 'getConsentDebt', summary: 'Collect debt with an extended-duration consent (no ssn in the answer)' })
  @ApiResponse({ status: 200, type: DebtInformationDto })
  debt(@CurrentCaller() caller: Caller, @RequestId() requestId: string, @Param('id', UuidParam) id: string): Promise<DebtInformationDto> {
    return this.consents.debtByConsent(caller, id, actorOf(caller, requestId));
  }
}
