import { randomBytes } from 'node:crypto';
import { StateStore } from '../../src/redis/state-store';
import { startNogiSandbox, type StartedNogiSandbox } from '../../src/providers/nogi/sandbox';
import { eventually } from '../support/tcp-proxy';
import { createMigratedDatabase, suiteDatabaseName } from '../support/test-database';
import { startTestApp, TEST_CLIENT, type TestApp, type TestAppOptions } from '../support/test-app';

export const NOGI_REDIRECT = 'http://127.0.0.1:3000/v1/consent-flows/callback';

export function startSandbox(): Promise<StartedNogiSandbox> {
  return startNogiSandbox({ clients: [{ clientId: TEST_CLIENT.id, clientSecret: TEST_CLIENT.secret, redirectUris: [NOGI_REDIRECT] }] });
}

/** Replicas share DATA_ENCRYPTION_KEY as they share Redis; one per test file is enough. */
export const SHARED_DATA_KEY = randomBytes(32).toString('base64');

/** A test app whose Redis connection is up (the client does not queue commands while connecting). */
export async function startReadyApp(options: TestAppOptions): Promise<TestApp> {
  const app = await startTestApp({ ...options, env: { DATA_ENCRYPTION_KEY: SHARED_DATA_KEY, ...options.env } });
  await eventually(
    () => app.app.get(StateStore).ping().then(() => true, () => false),
    (ok) => ok,
    5000,
  );
  return app;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** One call to the service as a bank frontend or service would make it. */
export async function api(app: TestApp, method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<ApiResponse> {
  const response = await fetch(`${app.url}${path}`, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
  });
  const text = await response.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: response.status, headers: Object.fromEntries(response.headers.entries()), json };
}

/** A database of its own (migrated), for tests whose background work must not meet other suites' rows. */
export async function isolatedDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  return createMigratedDatabase(suiteDatabaseName(`consents_${randomBytes(4).toString('hex')}`));
}
