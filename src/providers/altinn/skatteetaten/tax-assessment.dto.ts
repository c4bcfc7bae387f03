import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** One line of the summed tax basis (Skatteetaten's `grunnlag`); `tekniskNavn` values change from year to year. */
export class TaxBasisItemDto {
  @ApiProperty({ description: "Skatteetaten's technical name of the item", example: 'alminneligInntektFoerSaerfradrag' }) tekniskNavn!: string;
  @ApiProperty({ type: 'integer', description: 'Amount in whole kroner (NOK)', example: 612300 }) beloep!: number;
  @ApiProperty({ type: [String], description: 'Categories of the item (inntekt, formue, fradrag, gjeld…)', example: ['inntekt'] }) kategori!: string[];
  @ApiPropertyOptional({ type: 'array', items: { type: 'object', additionalProperties: true }, description: 'Breakdown of the item, as Skatteetaten gives it' })
  spesifisering?: Array<Record<string, string | number | boolean>>;
  @ApiPropertyOptional({ type: 'integer', description: 'Tax-free share in whole kroner' }) andelSkattefritt?: number;
  @ApiPropertyOptional({ type: 'integer', description: 'Share transferred from children in whole kroner' }) andelOverfoertFraBarn?: number;
}

/** Skatteetaten's summert skattegrunnlag for one income year, without `personidentifikator`. */
export class TaxAssessmentDto {
  @ApiProperty({ description: 'Income year', example: '2025' }) inntektsaar!: string;
  @ApiProperty({ description: 'Stage of the assessment', example: 'oppgjoer' }) stadie!: string;
  @ApiProperty({ description: 'Whether the person is shielded (skjermet)' }) skjermet!: boolean;
  @ApiPropertyOptional({ description: 'Date of the tax settlement', example: '2026-06-24' }) skatteoppgjoersdato?: string;
  @ApiPropertyOptional({ description: 'When Skatteetaten last updated the data, ISO-8601', example: '2026-06-24T04:12:00Z' }) ajourholdstidspunkt?: string;
  @ApiProperty({ type: [TaxBasisItemDto] }) grunnlag!: TaxBasisItemDto[];
}
