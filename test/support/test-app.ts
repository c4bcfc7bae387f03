import { appendFileSync } from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createApp, RunningApp } from '../../src/app.factory';
import { TestIssuer } from './test-issuer';
import { assertTestDatabase, TEST_DATABASE_URL, TEST_LOG_DIR, TEST_REDIS_URL } from './test-env';

export const TEST_CLIENT = { id: 'bank-test-client', secret: 'bank-test-secret' } as const;
export const TEST_RETURN_ORIGIN = 'https://nettbank.test';

export interface TestApp extends RunningApp {
  url: string;
  issuer: TestIssuer;
  /** Every log line this app wrote (already through redaction and the scrub). */
  logs: string[];
  redisKeyPrefix: string;
}

export interface TestAppOptions {
  /** Base URL of a running NoGi sandbox; NoGi is unreachable without it. */
  nogiUrl?: string;
  env?: Record<string, string | undefined>;
  issuer?: TestIssuer;
  /** Share Redis keys with another test app (two replicas). */
  redisKeyPrefix?: string;
  listen?: boolean;
}

/**
 * The service as production runs it (not sandbox mode): real PostgreSQL, real Redis, caller JWTs
 * verified against a JWKS over HTTP, NoGi at the given URL over HTTP.
 */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  assertTestDatabase(TEST_DATABASE_URL);
  const issuer = options.issuer ?? (await TestIssuer.start());
  const logs: string[] = [];
  const logFile = join(TEST_LOG_DIR, `worker-${process.env.JEST_WORKER_ID ?? '0'}.ndjson`);
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      const text = chunk.toString();
      logs.push(...text.split('\n').filter(Boolean));
      appendFileSync(logFile, text);
      callback();
    },
  });
  const nogiUrl = options.nogiUrl ?? 'http://127.0.0.1:9';
  const redisKeyPrefix = options.redisKeyPrefix ?? `test:${randomUUID()}:`;
  const env: Record<string, string | undefined> = {
    NODE_ENV: 'test',
    NOGI_ENV: 'preprod',
    PORT: '3000',
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL: TEST_REDIS_URL,
    NOGI_ISSUER: nogiUrl,
    NOGI_API_URL: nogiUrl,
    NOGI_CLIENT_ID: TEST_CLIENT.id,
    NOGI_CLIENT_SECRET: TEST_CLIENT.secret,
    NOGI_REDIRECT_URI: 'http://127.0.0.1:3000/v1/consent-flows/callback',
    NOGI_TIMEOUT_MS: '1500',
    RETURN_URL_ALLOWLIST: `${TEST_RETURN_ORIGIN},http://localhost:5173`,
    DATA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    NATIONAL_ID_HMAC_KEY: TEST_HMAC_KEY,
    FEED_POLL_INTERVAL_SECONDS: '0',
    ...issuer.env,
    ...options.env,
  };
  const running = await createApp({ env: env as NodeJS.ProcessEnv, redisKeyPrefix, logDestination: destination, logLevel: 'debug' });
  let url = '';
  if (options.listen !== false) {
    await running.app.listen({ port: 0, host: '127.0.0.1' });
    url = (await running.app.getUrl()).replace('[::1]', '127.0.0.1');
  }
  return {
    ...running,
    url,
    issuer,
    logs,
    redisKeyPrefix,
    close: async () => {
      await running.close();
      if (!options.issuer) await issuer.close();
    },
  };
}

/** Shared across test apps so hashes written by one are found by another (as replicas share the key). */
export const TEST_HMAC_KEY = Buffer.alloc(32, 7).toString('base64');
