import { randomBytes } from 'node:crypto';
import { StateStore } from '../../src/redis/state-store';
import { startNogiSandbox, type StartedNogiSandbox } from '../../src/sandbox/nogi';
import { eventually } from '../support/tcp-proxy';
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
