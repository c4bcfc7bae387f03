import { mkdirSync, rmSync } from 'node:fs';
import { createMigratedDatabase } from './test-database';
import { TEST_DATABASE_URL, TEST_LOG_DIR } from './test-env';

/** A fresh test database with every migration applied, once per `jest` run. */
export default async function globalSetup(): Promise<void> {
  await createMigratedDatabase(new URL(TEST_DATABASE_URL).pathname.slice(1));
  rmSync(TEST_LOG_DIR, { recursive: true, force: true });
  mkdirSync(TEST_LOG_DIR, { recursive: true });
}
