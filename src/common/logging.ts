import { AsyncLocalStorage } from 'node:async_hooks';
import type { LoggerService } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import pino, { DestinationStream, Logger as PinoLogger } from 'pino';

/** Field paths that may hold a national id, a token, a code or a secret, wherever they appear. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-national-id"]',
  'req.headers["idempotency-key"]',
  ...['nationalId', 'national_id', 'nin', 'ssn', 'token', 'accessToken', 'access_token', 'idToken', 'id_token',
    'refresh_token', 'nonce', 'codeVerifier', 'code_verifier', 'secret', 'clientSecret', 'client_secret',
    'password', 'authorization', 'AuthorizationCode', 'authorizationCode'].flatMap((k) => [k, `*.${k}`]),
  // Top-level `pid` is the process id; a nested one is NoGi's national id claim. OAuth codes travel
  // only in the callback's query string, which is never logged (paths only).
  ...['pid', 'state'].map((k) => `*.${k}`),
];

const ELEVEN_DIGITS = /(?<!\d)\d{11}(?!\d)/g;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ALPHANUMERIC = /[0-9a-z]/i;

/**
 * Whether the 11 digits at `offset` are 11 of the 12 characters of the last group of a UUID that
 * stands on its own (about 1 random UUID in 250 has such a run: request, flow and consent ids).
 */
function insideUuid(text: string, offset: number): boolean {
  for (const start of [offset - 24, offset - 25]) {
    if (start < 0 || start + 36 > text.length) continue;
    const standsAlone = !ALPHANUMERIC.test(text[start - 1] ?? '') && !ALPHANUMERIC.test(text[start + 36] ?? '');
    if (standsAlone && UUID.test(text.slice(start, start + 36))) return true;
  }
  return false;
}

/** Every run of exactly 11 digits in the text that may be a national id (all but those inside UUIDs). */
export function elevenDigitRuns(text: string): string[] {
  return [...text.matchAll(ELEVEN_DIGITS)].filter((m) => !insideUuid(text, m.index)).map((m) => m[0]);
}

/**
 * Last line of defence: any run of exactly 11 digits leaving the process is masked, except inside
 * a UUID (masking those garbled the ids that tie a log line to a request or a consent).
 */
export function scrubNationalIds(line: string): string {
  return line.replace(ELEVEN_DIGITS, (digits: string, offset: number) => (insideUuid(line, offset) ? digits : '[REDACTED]'));
}

/**
 * Fields of a logged error that carry values rather than a description: a failed query's SQL and
 * parameters (TypeORM's QueryFailedError; national-id hashes, ciphertexts, NoGi ids),
 * PostgreSQL's own `detail` ("Key (x)=(value) already exists") and neighbours, ioredis's
 * `command` (keys and values), and an AppError's `extras` (its cause is already in the message
 * and stack chain; the rest is for the response).
 */
const ERROR_VALUE_FIELDS = ['query', 'parameters', 'driverError', 'detail', 'where', 'internalQuery', 'hint', 'command', 'extras'];

/** pino's standard `err` serializer (type, message, stack, own fields) without the value-bearing fields. */
export const serializeError = pino.stdSerializers.wrapErrorSerializer((err) => {
  for (const field of ERROR_VALUE_FIELDS) delete (err as Record<string, unknown>)[field];
  return err;
});

/** Lines wait in memory until this many bytes are buffered, or the next periodic flush. */
const STDOUT_BUFFER_BYTES = 4096;
/** How long a line may wait when few are written (the console and the log shipper see it by then). */
const STDOUT_FLUSH_MS = 200;

/** pino's SonicBoom. */
type SonicBoom = ReturnType<typeof pino.destination>;

let stdout: SonicBoom | undefined;

/**
 * Standard output, written synchronously as Node itself writes to a pipe or a file, in batches:
 * a write per access line was the largest single cost of a consent start in its profile (about
 * 10 % of its CPU), and a batch of 4 KiB takes one write for a dozen lines. pino's default stream
 * hands every line to libuv's thread pool instead, and buffers without bound when stdout stalls.
 * Whatever is buffered is written every 200 ms and when the process exits (an uncaught exception
 * included); only a kill of the process (SIGKILL, out of memory) loses the last 200 ms of lines.
 */
function stdoutDestination(): SonicBoom {
  if (!stdout) {
    const destination = pino.destination({ dest: 1, sync: true, minLength: STDOUT_BUFFER_BYTES, periodicFlush: STDOUT_FLUSH_MS });
    process.once('exit', () => destination.flushSync());
    stdout = destination;
  }
  return stdout;
}

/**
 * Writes the log lines still buffered for standard output, so that what the process writes
 * to stdout itself (the sandbox banner, the shutdown line) comes after them.
 */
export function flushLogs(): void {
  stdout?.flushSync();
}

let isoTimeAt = NaN;
let isoTimeField = '';

/**
 * pino's isoTime (`,"time":"<ISO 8601>"`), formatted once per millisecond: under load several
 * lines share one (a Date and its toISOString per access line were 0.8 % of a consent start's CPU).
 */
export function isoTime(): string {
  const now = Date.now();
  if (now !== isoTimeAt) {
    isoTimeAt = now;
    isoTimeField = `,"time":"${new Date(now).toISOString()}"`;
  }
  return isoTimeField;
}

/** The one pino instance of the service: JSON lines, redaction by path, the 11-digit scrub. */
export function createLogger(options: { level: string; destination?: DestinationStream }): PinoLogger {
  return pino(
    {
      level: options.level,
      base: { service: 'nogi-consent-bff', pid: process.pid },
      serializers: { err: serializeError },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      hooks: { streamWrite: scrubNationalIds },
      timestamp: isoTime,
    },
    options.destination ?? stdoutDestination(),
  );
}

function createAccessLogger(logger: PinoLogger): PinoLogger {
  const destination = (logger as unknown as Record<symbol, DestinationStream>)[pino.symbols.streamSym];
  return pino(
    {
      level: logger.level,
      base: { service: 'nogi-consent-bff', pid: process.pid },
      hooks: { streamWrite: scrubNationalIds },
      timestamp: isoTime,
    },
    destination,
  );
}

/** The request a log line belongs to; set for the whole of each request's handling. */
const requestContext = new AsyncLocalStorage<{ requestId: string }>();

/**
 * Request logging on Fastify's own hooks (no per-request middleware or child logger): the
 * request id is put in an AsyncLocalStorage for every log line written while handling it, and one
 * line per finished request records method, path (never the query: the callback's carries codes
 * and state), status and duration.
 */
export function installRequestLogging(fastify: FastifyInstance, logger: PinoLogger): void {
  // The access line is built here from known-safe fields only, so it skips path redaction (a
  // measurable cost per request); the 11-digit scrub still applies to it.
  const access = createAccessLogger(logger);
  fastify.addHook('onRequest', (request, _reply, done) => requestContext.run({ requestId: request.id }, done));
  fastify.addHook('onResponse', (request, reply, done) => {
    const path = request.url.split('?', 1)[0];
    if (!/^\/(health|metrics)(\/|$)/.test(path)) {
      const status = reply.statusCode;
      const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
      access[level]({ requestId: request.id, req: { method: request.method, path }, res: { statusCode: status }, responseTimeMs: Math.round(reply.elapsedTime) }, 'request completed');
    }
    done();
  });
}

/**
 * Nest's LoggerService on the same pino instance. Accepts Nest's call shapes (`log(msg, context)`,
 * `warn({fields}, msg, context)`, `error(msg, stack, context)`) and adds the current request id.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: PinoLogger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: pino.Level, message: unknown, params: unknown[]): void {
    if (!this.logger.isLevelEnabled(level)) return;
    const rest = [...params];
    // Nest appends the logger's context as the last parameter.
    const context = rest.length > 0 && typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const fields: Record<string, unknown> = { context, requestId: requestContext.getStore()?.requestId };
    let text: string | undefined;
    if (message instanceof Error) fields.err = message;
    else if (typeof message === 'object' && message !== null) Object.assign(fields, message);
    else text = String(message);
    for (const param of rest) {
      if (typeof param === 'string' && text === undefined) text = param;
      else if (typeof param === 'string' && level === 'error') fields.stack = param;
    }
    this.logger[level](fields, text);
  }
}
