import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsString, MaxLength, Min } from 'class-validator';
import { IsNationalId, IsOmittable } from '../common/validation';
import { CONSENT_PURPOSES, ConsentPurpose } from '../database/entities/consent.entity';
import { DATASETS, PROVIDERS, type Dataset, type Provider } from '../providers/datasets';
import type { FlowStatus } from './flow.store';

export class StartConsentFlowRequestDto {
  @ApiPropertyOptional({ enum: DATASETS, description: 'Absent = debt. The data the consent is for; `accounts` has no flow (register it with POST /v1/consents)' })
  @IsOmittable()
  @IsIn(DATASETS)
  dataset?: Dataset;

  @ApiPropertyOptional({ description: "The customer's national id (11 digits). A customer token may omit it; if given it must be the token's own.", example: '14842249091' })
  @IsOmittable()
  @IsNationalId()
  nationalId?: string;

  @ApiProperty({ enum: CONSENT_PURPOSES })
  @IsIn(CONSENT_PURPOSES)
  purpose!: ConsentPurpose;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, description: "Consent duration in days, clamped to 365 (presentation) / 28 (processing) as NoGi does; omitted = NoGi's one-time consent" })
  @IsOmittable()
  @IsInt()
  @Min(1)
  durationDays?: number;

  @ApiProperty({ description: 'Where the browser returns after the consent; its origin must be in RETURN_URL_ALLOWLIST', example: 'https://nettbank.bank.example/lan/samtykke' })
  @IsString()
  @MaxLength(2048)
  returnUrl!: string;
}

export class StartConsentFlowResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: DATASETS }) dataset!: Dataset;
  @ApiProperty({ enum: PROVIDERS }) provider!: Provider;
  @ApiProperty({ description: "Send the customer's browser here (NoGi's login and consent page)" }) authorizationUrl!: string;
  @ApiProperty({ format: 'date-time', description: 'The flow stops accepting its callback then' }) expiresAt!: string;
  @ApiProperty({ example: 'debt.unsecured.processing.28 openid', description: 'The scope asked of NoGi' }) scope!: string;
  @ApiProperty({ type: 'integer', nullable: true, description: "The clamped duration, or null for NoGi's default one-time consent" }) durationDays!: number | null;
}

export const FLOW_STATUSES: FlowStatus[] = ['pending', 'completed', 'denied', 'failed', 'expired'];
export const FLOW_ERRORS = ['consent_denied', 'login_cancelled', 'invalid_scopes', 'server_error', 'identity_mismatch', 'nogi_unavailable', 'token_exchange_failed'] as const;
export type FlowError = (typeof FLOW_ERRORS)[number];

export class ConsentFlowResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: DATASETS }) dataset!: Dataset;
  @ApiProperty({ enum: PROVIDERS }) provider!: Provider;
  @ApiProperty({ enum: FLOW_STATUSES }) status!: FlowStatus;
  @ApiProperty({ enum: CONSENT_PURPOSES }) purpose!: ConsentPurpose;
  @ApiProperty({ type: 'integer', nullable: true }) durationDays!: number | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'Our consent id, once completed' }) consentId?: string;
  @ApiPropertyOptional({ format: 'date-time' }) consentExpiresAt?: string;
  @ApiPropertyOptional({ enum: FLOW_ERRORS, description: "NoGi's error code or ours, when denied or failed" }) error?: FlowError;
}
