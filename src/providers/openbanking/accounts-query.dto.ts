import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsString } from 'class-validator';
import { IsOmittable } from '../../common/validation';

/** `from`/`to` of a transactions read; their rules (format, order, span) are in transactionsRequest. */
export class TransactionsQueryDto {
  @ApiPropertyOptional({ format: 'date', description: 'First booking date (YYYY-MM-DD); default 90 days before `to`', example: '2026-09-01' })
  @IsOmittable()
  @IsString()
  from?: string;

  @ApiPropertyOptional({ format: 'date', description: 'Last booking date (YYYY-MM-DD), at most 366 days after `from`; default today', example: '2026-11-30' })
  @IsOmittable()
  @IsString()
  to?: string;
}
