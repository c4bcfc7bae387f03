import { applyDecorators, Type } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { PROBLEM_CODES, ProblemCode } from './problem';

export class FieldErrorDto {
  @ApiProperty({ example: 'nationalId' }) field!: string;
  @ApiProperty({ example: 'must be an 11-digit national identity number with valid check digits' }) message!: string;
}

/** RFC 9457 problem details as this service writes them. */
export class ProblemDto {
  @ApiProperty({ example: 'urn:nogi-consent-bff:problem:validation-failed' }) type!: string;
  @ApiProperty({ example: 'The request is not valid' }) title!: string;
  @ApiProperty({ example: 400 }) status!: number;
  @ApiProperty({ example: 'nationalId: must be an 11-digit national identity number with valid check digits' }) detail!: string;
  @ApiProperty({ enum: Object.keys(PROBLEM_CODES), description: 'Stable error code' }) code!: ProblemCode;
  @ApiProperty({ example: '6f1c2a8e-0d7b-4f5e-9a43-2b1c0e6d7f88' }) requestId!: string;
  @ApiPropertyOptional({ type: [FieldErrorDto] }) errors?: FieldErrorDto[];
}

/**
 * The success response and every problem a route can answer with, grouped by status, each status
 * listing its codes: the OpenAPI document names every code (contract).
 */
export function ApiProblems(successStatus: number, success: Type<unknown> | undefined, codes: ProblemCode[]): MethodDecorator {
  const byStatus = new Map<number, ProblemCode[]>();
  for (const code of [...codes, 'INTERNAL_ERROR' as ProblemCode]) {
    const status = PROBLEM_CODES[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const problems = [...byStatus.entries()].map(([status, list]) =>
    ApiResponse({
      status,
      description: `${list.map((c) => `\`${c}\``).join(', ')}`,
      content: { 'application/problem+json': { schema: { allOf: [{ $ref: getSchemaPath(ProblemDto) }, { properties: { code: { type: 'string', enum: list } } }] } } },
    }),
  );
  const ok = success
    ? ApiResponse({ status: successStatus, type: success })
    : ApiResponse({ status: successStatus, description: successStatus === 303 ? 'Redirect to the returnUrl with flowId and status' : 'No content' });
  return applyDecorators(ApiExtraModels(ProblemDto, FieldErrorDto), ok, ...problems);
}
