import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { StateStoreUnavailableError } from '../redis/state-store';
import { AppError, ProblemCode, problemBody, UpstreamOutcome } from './problem';

const HTTP_STATUS_CODES: Record<number, ProblemCode> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

const FASTIFY_CODES: Record<string, [ProblemCode, string]> = {
  FST_ERR_CTP_INVALID_JSON_BODY: ['MALFORMED_BODY', 'The body is not valid JSON.'],
  FST_ERR_CTP_EMPTY_JSON_BODY: ['MALFORMED_BODY', 'The body is empty but Content-Type says application/json.'],
  FST_ERR_CTP_BODY_TOO_LARGE: ['PAYLOAD_TOO_LARGE', 'The request body exceeds the size limit.'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ['UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json.'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ['MALFORMED_BODY', 'Content-Length does not match the body.'],
};

/** Maps anything thrown to an AppError without ever exposing upstream bodies or stack traces. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const fastifyCode = (error as { code?: unknown })?.code;
  if (typeof fastifyCode === 'string' && FASTIFY_CODES[fastifyCode]) {
    const [code, detail] = FASTIFY_CODES[fastifyCode];
    return new AppError(code, detail);
  }
  if (error instanceof SyntaxError && (error as { statusCode?: number }).statusCode === 400) {
    return new AppError('MALFORMED_BODY', 'The body is not valid JSON.');
  }
  if (isBackingServiceDown(error)) {
    return new AppError('DEPENDENCY_UNAVAILABLE', 'A backing service is unavailable; retry shortly.', { headers: { 'retry-after': '2' } });
  }
  const status = error instanceof HttpException ? error.getStatus() : (error as { statusCode?: number })?.statusCode;
  if (typeof status === 'number' && HTTP_STATUS_CODES[status]) {
    const code = HTTP_STATUS_CODES[status];
    const detail = status === 404 ? 'No route or resource matches this request.' : (error as Error).message;
    return new AppError(code, detail);
  }
  return new AppError('INTERNAL_ERROR', 'An unexpected error occurred.');
}

/**
 * Every 5xx is logged once, here, with its cause: the error as thrown (class, message and stack,
 * each cause's appended; the err serializer drops value-bearing fields) and what the upstream did.
 * Our own faults (500) are errors; an upstream's or a backing service's outage is a warning.
 */
function logServerError(logger: Logger, thrown: unknown, answered: AppError): void {
  const fields = { err: thrown, code: answered.code, status: answered.status, upstream: upstreamOf(thrown) };
  if (answered.status === 500) logger.error(fields, 'Request failed: internal error');
  else logger.warn(fields, `Request failed: ${answered.code}`);
}

/** The first UpstreamOutcome along the cause chain (what NoGi answered, or why it did not). */
function upstreamOf(error: unknown): UpstreamOutcome | undefined {
  let current = error;
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth++) {
    const upstream = (current as { upstream?: unknown }).upstream;
    if (typeof upstream === 'object' && upstream !== null) return upstream as UpstreamOutcome;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Redis unreachable, or PostgreSQL refusing, dropping or limiting connections: a 503 the caller
 * may retry, never a 500 (SQLSTATE class 08 connection exceptions, 57P01–57P03 shutdowns, 53300).
 */
function isBackingServiceDown(error: unknown): boolean {
  if (error instanceof StateStoreUnavailableError) return true;
  const e = error as { code?: unknown; driverError?: { code?: unknown }; message?: unknown };
  const code = String(e?.driverError?.code ?? e?.code ?? '');
  if (/^08/.test(code) || ['57P01', '57P02', '57P03', '53300', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT'].includes(code)) return true;
  return typeof e?.message === 'string' && /Connection terminated|connection timeout|Connection is not established|timeout exceeded when trying to connect/i.test(e.message);
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: AppError): void {
  const body = problemBody(error, request.id);
  for (const [name, value] of Object.entries(error.extras.headers ?? {})) void reply.header(name, value);
  void reply.header('cache-control', 'no-store');
  if (wantsHtml(request)) {
    void reply.status(error.status).type('text/html; charset=utf-8').header('referrer-policy', 'no-referrer').send(htmlProblem(body.title, body.detail, body.requestId));
    return;
  }
  void reply.status(error.status).type('application/problem+json').send(body);
}

/** A browser landing on the callback with a bad state gets a page, not JSON (contract). */
function wantsHtml(request: FastifyRequest): boolean {
  const path = request.url.split('?', 1)[0];
  // NoGi's callback and each provider's own (`/callback/altinn`).
  if (path !== '/v1/consent-flows/callback' && !path.startsWith('/v1/consent-flows/callback/')) return false;
  const accept = request.headers.accept ?? '';
  return /text\/html/.test(accept);
}

function htmlProblem(title: string, detail: string, requestId: string): string {
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title></head><body><h1>${esc(title)}</h1><p>${esc(detail)}</p><p>Please start again from your bank. Reference: ${esc(requestId)}</p></body></html>`;
}

/**
 * Requests Node's HTTP parser refuses before Fastify sees them (headers over 16 KiB, malformed
 * HTTP, slow senders) get the same problem+json as everything else, then the connection closes.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed || !socket.writable) return;
  const appError =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? new AppError('HEADERS_TOO_LARGE', 'The request headers exceed 16 KiB.')
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new AppError('REQUEST_TIMEOUT', 'The request was not received in time.')
        : new AppError('MALFORMED_BODY', 'The request is not valid HTTP.');
  const body = JSON.stringify(problemBody(appError, randomUUID()));
  socket.end(
    `HTTP/1.1 ${appError.status} ${STATUS_CODES[appError.status]}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
  );
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    // Terminus answers an unhealthy check with a 503 whose body lists each check: keep it for probes and ops.
    if (exception instanceof HttpException && exception.getStatus() === 503 && request.url.startsWith('/health/')) {
      void reply.status(503).header('cache-control', 'no-store').send(exception.getResponse());
      return;
    }
    const problem = toAppError(exception);
    if (problem.status >= 500) logServerError(this.logger, exception, problem);
    sendProblem(request, reply, problem);
  }
}
