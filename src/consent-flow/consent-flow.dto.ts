import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsString, Length, Matches, MaxLength, Min } from 'class-validator';
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

  @ApiPropertyOptional({ enum: CONSENT_PURPOSES, description: 'debt: required. tax-assessment and income: optional, processing only' })
  @IsOmittable()
  @IsIn(CONSENT_PURPOSES)
  purpose?: ConsentPurpose;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    description:
      "debt: consent duration in days, clamped to 365 (presentation) / 28 (processing) as NoGi does; omitted = NoGi's one-time consent. tax-assessment and income: 1–365, default 30",
  })
  @IsOmittable()
  @IsInt()
  @Min(1)
  durationDays?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 2000, description: 'tax-assessment: the income year, 2000 up to last year (default last year)', example: 2025 })
  @IsOmittable()
  @IsInt()
  @Min(2000)
  incomeYear?: number;

  @ApiPropertyOptional({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$', description: 'income (required): the first month, YYYY-MM', example: '2026-01' })
  @IsOmittable()
  @IsString()
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'must be a month YYYY-MM' })
  fromMonth?: string;

  @ApiPropertyOptional({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$', description: 'income (required): the last month, YYYY-MM, at most this month and 36 months after fromMonth', example: '2026-10' })
  @IsOmittable()
  @IsString()
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'must be a month YYYY-MM' })
  toMonth?: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 500, description: 'tax-assessment and income: plain text shown to the customer at Altinn' })
  @IsOmittable()
  @IsString()
  @Length(1, 500)
  @Matches(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f<>]*$/, { message: 'must be plain text (no control characters or angle brackets)' })
  message?: string;

  @ApiProperty({ description: 'Where the browser returns after the consent; its origin must be in RETURN_URL_ALLOWLIST', example: 'https://nettbank.bank.example/lan/samtykke' })
  @IsString()
  @MaxLength(2048)
  returnUrl!: string;
}

export class StartConsentFlowResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: DATASETS }) dataset!: Dataset;
  @ApiProperty({ enum: PROVIDERS }) provider!: Provider;
  @ApiProperty({ description: "Send the customer's browser here (the provider's login and consent page)" }) authorizationUrl!: string;
  @ApiProperty({ format: 'date-time', description: 'The flow stops accepting its callback then' }) expiresAt!: string;
  @ApiProperty({ example: 'debt.unsecured.processing.28 openid', description: 'The scope asked of NoGi, or the Altinn resource (ske-samtykke-sbl-summert-skattegrunnlag, ske-samtykke-sbl-inntekt)' }) scope!: string;
  @ApiProperty({ type: 'integer', nullable: true, description: "The (clamped) duration, or null for NoGi's default one-time consent" }) durationDays!: number | null;
}

export const FLOW_STATUSES: FlowStatus[] = ['pending', 'completed', 'denied', 'failed', 'expired'];
export const FLOW_ERRORS = [
  'consent_denied',
  'login_cancelled',
  'invalid_scopes',
  'server_error',
  'identity_mismatch',
  'token_exchange_failed',
  'consent_not_accepted',
  'nogi_unavailable',
  'altinn_unavailable',
  'maskinporten_unavailable',
  'skatteetaten_unavailable',
] as const;
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
  @ApiPropertyOptional({ enum: FLOW_ERRORS, description: "The provider's error code or ours, when denied or failed" }) error?: FlowError;
}
