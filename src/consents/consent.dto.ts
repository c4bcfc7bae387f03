import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { IsNationalId, IsOmittable } from '../common/validation';
import { IsConsentCursor } from './consent-cursor';
import { CONSENT_PURPOSES, CONSENT_SOURCES, CONSENT_STATUSES, type ConsentPurpose, type ConsentSource, type ConsentStatus } from '../database/entities/consent.entity';
import { DATASETS, PROVIDERS, type Dataset, type Provider } from '../providers/datasets';

export class RegisterConsentRequestDto {
  @ApiPropertyOptional({ enum: DATASETS, description: 'Absent = debt. debt (registered at NoGi) or accounts; tax-assessment and income can only be captured by Altinn (400)' })
  @IsOmittable()
  @IsIn(DATASETS)
  dataset?: Dataset;

  @ApiPropertyOptional({ description: "The customer's national id (11 digits); a customer token may omit it", example: '14842249091' })
  @IsOmittable()
  @IsNationalId()
  nationalId?: string;

  @ApiPropertyOptional({ enum: CONSENT_PURPOSES, description: 'debt: required. accounts: optional, processing only' })
  @IsOmittable()
  @IsIn(CONSENT_PURPOSES)
  purpose?: ConsentPurpose;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 365, description: 'debt: 1–365 for presentation, 1–28 for processing. accounts: 1–180', example: 90 })
  @IsInt()
  @Min(1)
  @Max(365)
  durationDays!: number;

  @ApiPropertyOptional({ description: "The bank's own id for the consent (unique). When omitted, the id sent to NoGi is derived from the caller and the Idempotency-Key (so a retry registers the same consent), or is ours without a key", maxLength: 255 })
  @IsOmittable()
  @IsString()
  @Matches(/^[\x21-\x7e]{1,255}$/, { message: 'must be 1–255 printable ASCII characters without spaces' })
  clientConsentId?: string;
}

export class ListConsentsQueryDto {
  @ApiPropertyOptional({ enum: CONSENT_STATUSES })
  @IsOmittable()
  @IsIn(CONSENT_STATUSES)
  status?: ConsentStatus;

  @ApiPropertyOptional({ enum: CONSENT_PURPOSES })
  @IsOmittable()
  @IsIn(CONSENT_PURPOSES)
  purpose?: ConsentPurpose;

  @ApiPropertyOptional({ enum: DATASETS })
  @IsOmittable()
  @IsIn(DATASETS)
  dataset?: Dataset;

  @ApiPropertyOptional({ enum: PROVIDERS })
  @IsOmittable()
  @IsIn(PROVIDERS)
  provider?: Provider;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 20 })
  @IsOmittable()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ description: 'The nextCursor of the previous page (opaque)' })
  @IsOmittable()
  @IsString()
  @MaxLength(200)
  @IsConsentCursor()
  cursor?: string;
}

export class GetConsentQueryDto {
  @ApiPropertyOptional({ enum: ['true', 'false'], description: "Re-read NoGi's status first" })
  @IsOmittable()
  @IsIn(['true', 'false'])
  refresh?: 'true' | 'false';
}

export class ConsentParametersDto {
  @ApiPropertyOptional({ type: 'integer', description: 'tax-assessment: the income year' }) incomeYear?: number;
  @ApiPropertyOptional({ pattern: '^\\d{4}-\\d{2}$', description: 'income: first month (YYYY-MM)' }) fromMonth?: string;
  @ApiPropertyOptional({ pattern: '^\\d{4}-\\d{2}$', description: 'income: last month (YYYY-MM)' }) toMonth?: string;
}

export class ConsentResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: DATASETS }) dataset!: Dataset;
  @ApiProperty({ enum: PROVIDERS }) provider!: Provider;
  @ApiPropertyOptional() clientConsentId?: string;
  @ApiProperty({ enum: CONSENT_PURPOSES }) purpose!: ConsentPurpose;
  @ApiProperty({ example: 'debt.unsecured.presentation' }) scope!: string;
  @ApiPropertyOptional({ type: ConsentParametersDto, description: "The dataset's fields, where it has any" }) parameters?: ConsentParametersDto;
  @ApiProperty({ enum: CONSENT_STATUSES }) status!: ConsentStatus;
  @ApiProperty({ enum: CONSENT_SOURCES }) source!: ConsentSource;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) expiresAt!: string | null;
  @ApiPropertyOptional({ format: 'date-time' }) revokedAt?: string;
  @ApiPropertyOptional({ format: 'date-time' }) lastUsedAt?: string;
}

export class ConsentListResponseDto {
  @ApiProperty({ type: [ConsentResponseDto] }) items!: ConsentResponseDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page' }) nextCursor!: string | null;
}
