import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source';

/**
 * `npm run migrate`: applies pending migrations to DATABASE_URL. Runs from a production install
 * (compiled JavaScript, no dev dependencies): the Helm chart's pre-upgrade Job calls it.
 */
export async function migrate(url: string, log: (line: string) => void = console.log): Promise<string[]> {
  const dataSource = new DataSource(dataSourceOptions(url, { poolSize: 1, applicationName: 'nogi-consent-bff-migrate' }));
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    for (const m of applied) log(`applied ${m.name}`);
    if (applied.length === 0) log('schema is up to date');
    return applied.map((m) => m.name);
  } finally {
    await dataSource.destroy();
  }
}

if (require.main === module) {
  const url = process.env.DATABASE_URL;
  if (!url || !/^postgres(ql)?:\/\//.test(url)) {
    console.error('Invalid configuration:\n  - DATABASE_URL: is required (postgres:// URL)');
    process.exit(1);
  }
  migrate(url).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(`migration failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
