import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** One income line of a monthly statement (a-ordningen). */
export class IncomeItemDto {
  @ApiProperty({ description: 'kontantytelse, naturalytelse or utgiftsgodtgjoerelse', example: 'kontantytelse' }) fordel!: string;
  @ApiProperty({ type: 'integer', description: 'Amount in whole kroner (NOK)', example: 52000 }) beloep!: number;
  @ApiProperty() utloeserArbeidsgiveravgift!: boolean;
  @ApiProperty() inngaarIGrunnlagForTrekk!: boolean;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Wage details, e.g. {beskrivelse: "fastloenn"}' })
  loennsinntekt?: Record<string, string | number | boolean>;
}

/** One employer's monthly statement for the person, without `inntektsmottaker`. */
export class IncomeStatementDto {
  @ApiProperty({ description: 'Organisation number of the reporting employer', example: '910123456' }) opplysningspliktigId!: string;
  @ApiProperty({ description: 'Organisation number of the business unit', example: '910123457' }) virksomhetId!: string;
  @ApiProperty({ description: 'Calendar month, YYYY-MM', example: '2026-09' }) kalendermaaned!: string;
  @ApiProperty({ type: [IncomeItemDto] }) inntekt!: IncomeItemDto[];
}

/** Skatteetaten's inntekt for a period, without the person's national id. */
export class IncomeDto {
  @ApiProperty({ type: [IncomeStatementDto] }) oppgaveInntektsmottaker!: IncomeStatementDto[];
}
