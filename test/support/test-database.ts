import { Client } from 'pg';
import { migrate } from '../../src/database/migrate';
import { assertTestDatabase, TEST_DATABASE_URL } from './test-env';

/** Runs one statement on the server's maintenance database (create and drop databases). */
async function admin(sql: string): Promise<void> {
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = '/postgres';
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * The name of a suite's own database: the run's test database name (TEST_DATABASE_URL) and a
 * suffix, so two test runs with different TEST_DATABASE_URLs never drop each other's databases.
 */
export function suiteDatabaseName(suffix: string): string {
  return `${new URL(TEST_DATABASE_URL).pathname.slice(1)}_${suffix}`;
}

/**
 * A fresh database on the test server with every migration applied; its name must mark it as a
 * test database. Suites whose background workers (outbox, feed) must not meet other suites' rows
 * use one of their own.
 */
export async function createMigratedDatabase(name: string): Promise<{ url: string; drop(): Promise<void> }> {
  const database = await createEmptyDatabase(name);
  await migrate(database.url, () => undefined);
  return database;
}

/** A fresh, empty database on the test server (for tests that apply migrations one by one). */
export async function createEmptyDatabase(name: string): Promise<{ url: string; drop(): Promise<void> }> {
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  assertTestDatabase(url.toString());
  await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin(`CREATE DATABASE "${name}"`);
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}
