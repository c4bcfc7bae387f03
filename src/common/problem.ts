/**
 * Feature errors carry a stable code; the global filter turns them into RFC 9457 problem+json.
 * Every code the API can answer with is listed here, so the OpenAPI document can name them all.
 */
export const PROBLEM_CODES = {
  VALIDATION_FAILED: { status: 400, title: 'The request is not valid' },
  MALFORMED_BODY: { status: 400, title: 'The request body is not valid JSON' },
  INVALID_STATE: { status: 400, title: 'The consent flow state is unknown, expired or already used' },
  UNAUTHENTICATED: { status: 401, title: 'A valid bearer token is required' },
  INSUFFICIENT_SCOPE: { status: 403, title: 'The token lacks the scope this operation needs' },
  FORBIDDEN: { status: 403, title: 'The caller may not act for this customer' },
  NOT_FOUND: { status: 404, title: 'No such resource' },
  FLOW_NOT_FOUND: { status: 404, title: 'No such consent flow' },
  CONSENT_NOT_FOUND: { status: 404, title: 'No such consent' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  FLOW_NOT_COMPLETED: { status: 409, title: 'The consent flow has not completed' },
  CONSENT_CONFLICT: { status: 409, title: 'The consent conflicts with an existing one' },
  DATASET_MISMATCH: { status: 409, title: "The flow's or consent's dataset is another one than this route's" },
  FLOW_DEBT_GONE: { status: 410, title: "The flow's debt information is no longer available" },
  CONSENT_NOT_ACTIVE: { status: 410, title: 'The consent is no longer active' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  REQUEST_TIMEOUT: { status: 408, title: 'The request did not arrive in time' },
  HEADERS_TOO_LARGE: { status: 431, title: 'The request headers are too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'The request body must be application/json' },
  CONSENT_REJECTED: { status: 422, title: 'NoGi refused to register this consent' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, title: 'The Idempotency-Key was used with another request body' },
  IDEMPOTENCY_IN_PROGRESS: { status: 409, title: 'A request with this Idempotency-Key is still in progress' },
  NO_DATA: { status: 404, title: 'The source has no data for this period' },
  ACCOUNT_NOT_FOUND: { status: 404, title: 'The partner bank knows no such account for this customer' },
  CUSTOMER_PRESENCE_REQUIRED: { status: 403, title: 'Only the customer, logged in, can give this consent' },
  IDENTITY_MISMATCH: { status: 502, title: 'The provider returned data for another person' },
  NOGI_REJECTED: { status: 502, title: 'NoGi rejected the request' },
  NOGI_BAD_RESPONSE: { status: 502, title: 'NoGi answered with an unexpected response' },
  NOGI_UNAVAILABLE: { status: 503, title: 'NoGi is unavailable' },
  NOGI_TIMEOUT: { status: 504, title: 'NoGi did not answer in time' },
  ALTINN_REJECTED: { status: 502, title: 'Altinn rejected the request' },
  ALTINN_BAD_RESPONSE: { status: 502, title: 'Altinn answered with an unexpected response' },
  ALTINN_UNAVAILABLE: { status: 503, title: 'Altinn is unavailable' },
  ALTINN_TIMEOUT: { status: 504, title: 'Altinn did not answer in time' },
  MASKINPORTEN_REJECTED: { status: 502, title: 'Maskinporten rejected the request' },
  MASKINPORTEN_BAD_RESPONSE: { status: 502, title: 'Maskinporten answered with an unexpected response' },
  MASKINPORTEN_UNAVAILABLE: { status: 503, title: 'Maskinporten is unavailable' },
  MASKINPORTEN_TIMEOUT: { status: 504, title: 'Maskinporten did not answer in time' },
  SKATTEETATEN_REJECTED: { status: 502, title: 'Skatteetaten rejected the request' },
  SKATTEETATEN_BAD_RESPONSE: { status: 502, title: 'Skatteetaten answered with an unexpected response' },
  SKATTEETATEN_UNAVAILABLE: { status: 503, title: 'Skatteetaten is unavailable' },
  SKATTEETATEN_TIMEOUT: { status: 504, title: 'Skatteetaten did not answer in time' },
  OPENBANKING_REJECTED: { status: 502, title: 'The partner bank rejected the request' },
  OPENBANKING_BAD_RESPONSE: { status: 502, title: 'The partner bank answered with an unexpected response' },
  OPENBANKING_UNAVAILABLE: { status: 503, title: 'The partner bank is unavailable' },
  OPENBANKING_TIMEOUT: { status: 504, title: 'The partner bank did not answer in time' },
  DEPENDENCY_UNAVAILABLE: { status: 503, title: 'A backing service is unavailable' },
  INTERNAL_ERROR: { status: 500, title: 'Internal server error' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof PROBLEM_CODES;

/**
 * What an upstream did, carried by the error behind a 5xx (as its cause) so that the log line of
 * that answer names it: the HTTP status it answered with, or why there was no answer.
 */
export interface UpstreamOutcome {
  upstream: string;
  operation: string;
  status?: number;
  failure?: 'timeout' | 'network' | 'circuit_open';
}

export interface FieldError {
  field: string;
  message: string;
}

export class AppError extends Error {
  readonly status: number;
  readonly title: string;

  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    readonly extras: { errors?: FieldError[]; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(`${code}: ${detail}`, { cause: extras.cause });
    this.name = 'AppError';
    this.status = PROBLEM_CODES[code].status;
    this.title = PROBLEM_CODES[code].title;
  }

  static validation(errors: FieldError[]): AppError {
    return new AppError('VALIDATION_FAILED', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });
  }
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ProblemCode;
  requestId: string;
  errors?: FieldError[];
}

export function problemBody(error: AppError, requestId: string): ProblemBody {
  return {
    type: `urn:nogi-consent-bff:problem:${error.code.toLowerCase().replace(/_/g, '-')}`,
    title: error.title,
    status: error.status,
    detail: error.detail,
    code: error.code,
    requestId,
    ...(error.extras.errors ? { errors: error.extras.errors } : {}),
  };
}
