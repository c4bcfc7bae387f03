/** Where the integration tests find the machine's real PostgreSQL and Redis. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/nogi_bff_test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
/** Every log line of every test app is also appended here; global teardown scans it for national ids. */
export const TEST_LOG_DIR = process.env.TEST_LOG_DIR ?? '/tmp/nogi-bff-test-logs';

/** Refuses any database whose name does not mark it as a test database. */
export function assertTestDatabase(url: string): void {
  const name = new URL(url).pathname.replace(/^\//, '');
  if (!/(^|_)test(_|$)/.test(name)) throw new Error(`Refusing to run tests against database "${name}": its name must mark it as a test database`);
}
