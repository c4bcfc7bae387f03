import { applyDecorators, Type } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { AppError, PROBLEM_CODES, ProblemCode, problemBody } from './problem';

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
      content: {
        'application/problem+json': {
          schema: { allOf: [{ $ref: getSchemaPath(ProblemDto) }, { properties: { code: { type: 'string', enum: list } } }] },
          examples: Object.fromEntries(list.map((code) => [code, { summary: PROBLEM_CODES[code].title, value: exampleProblem(code) }])),
        },
      },
    }),
  );
  const ok = success
    ? ApiResponse({ status: successStatus, type: success })
    : successStatus === 303
      ? ApiResponse({
          status: 303,
          description: 'Redirect to the returnUrl with flowId and status',
          headers: { Location: { description: 'The returnUrl with the query parameters flowId and status added', schema: { type: 'string', format: 'uri' } } },
        })
      : ApiResponse({ status: successStatus, description: 'No content' });
  return applyDecorators(ApiExtraModels(ProblemDto, FieldErrorDto), ok, ...problems);
}

/** Each code's example in the document, written by the same function the filter answers with. */
function exampleProblem(code: ProblemCode): object {
  const error =
    code === 'VALIDATION_FAILED'
      ? AppError.validation([{ field: 'nationalId', message: 'must be an 11-digit national identity number with valid check digits' }])
      : new AppError(code, `${PROBLEM_CODES[code].title}.`);
  return problemBody(error, '6f1c2a8e-0d7b-4f5e-9a43-2b1c0e6d7f88');
}
