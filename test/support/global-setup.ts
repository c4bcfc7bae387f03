import { mkdirSync, rmSync } from 'node:fs';
import { Client } from 'pg';
import { migrate } from '../../src/database/migrate';
import { assertTestDatabase, TEST_DATABASE_URL, TEST_LOG_DIR } from './test-env';

/** A fresh test database with every migration applied, once per `jest` run. */
export default async function globalSetup(): Promise<void> {
  assertTestDatabase(TEST_DATABASE_URL);
  const url = new URL(TEST_DATABASE_URL);
  const name = url.pathname.slice(1);
  const admin = new URL(TEST_DATABASE_URL);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  await migrate(TEST_DATABASE_URL, () => undefined);
  rmSync(TEST_LOG_DIR, { recursive: true, force: true });
  mkdirSync(TEST_LOG_DIR, { recursive: true });
}
