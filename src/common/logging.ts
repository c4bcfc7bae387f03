import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { DestinationStream } from 'pino';

/** Field paths that may hold a national id, a token, a code or a secret, wherever they appear. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-national-id"]',
  'req.headers["idempotency-key"]',
  'res.headers["set-cookie"]',
  'res.headers.location',
  ...['nationalId', 'national_id', 'nin', 'ssn', 'token', 'accessToken', 'access_token', 'idToken', 'id_token',
    'refresh_token', 'nonce', 'codeVerifier', 'code_verifier', 'secret', 'clientSecret', 'client_secret',
    'password', 'authorization'].flatMap((k) => [k, `*.${k}`]),
  // Top-level `pid` is the process id; a nested one is NoGi's national id claim. OAuth codes travel
  // only in the callback's query string, which is never logged (paths only, see serializers).
  ...['pid', 'state'].map((k) => `*.${k}`),
];

const ELEVEN_DIGITS = /(?<!\d)\d{11}(?!\d)/g;

/** Last line of defence: any run of exactly 11 digits leaving the process is masked. */
export function scrubNationalIds(line: string): string {
  return line.replace(ELEVEN_DIGITS, '[REDACTED]');
}

export function loggerParams(options: { level: string; destination?: DestinationStream; pretty?: boolean }): Params {
  return {
    pinoHttp: {
      level: options.level,
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      hooks: { streamWrite: scrubNationalIds },
      // The raw request id is set by Fastify's genReqId (common/request-id.ts).
      genReqId: (req: IncomingMessage) => (req as IncomingMessage & { id?: string }).id ?? 'unknown',
      customProps: () => ({ service: 'nogi-consent-bff' }),
      serializers: {
        // Paths only: query strings carry codes and state (callback) and must never reach a log.
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, path: req.url.split('?', 1)[0] }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) =>
        error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
      autoLogging: { ignore: (req: IncomingMessage) => /^\/(health|metrics)(\/|$)/.test(req.url ?? '') },
      ...(options.destination ? { stream: options.destination } : {}),
      ...(options.pretty && !options.destination ? { transport: undefined } : {}),
    },
  };
}
