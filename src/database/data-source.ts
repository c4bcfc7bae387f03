import { join } from 'node:path';
import { DataSource, DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { SafeTypeOrmLogger } from './typeorm-safe.logger';

/** One definition of the schema connection for the app, `npm run migrate` and the tests. */
export function dataSourceOptions(url: string, overrides: { poolSize?: number; applicationName?: string } = {}): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: [join(__dirname, 'migrations', '*.{js,ts}')],
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logger: new SafeTypeOrmLogger(),
    maxQueryExecutionTime: 1000,
    poolSize: overrides.poolSize ?? 10,
    extra: {
      application_name: overrides.applicationName ?? 'nogi-consent-bff',
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30000,
      // A statement never holds a request hostage: bounded in the database as well.
      statement_timeout: 10000,
    },
  };
}

/** For the TypeORM CLI (`npm run migration:generate`) only; the app builds its own from AppConfig. */
export default new DataSource(dataSourceOptions(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/nogi_bff_dev'));
