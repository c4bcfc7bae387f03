import type { EventEmitter } from 'node:events';
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
      // pg-pool hands a new connection out with no 'error' listener, and TypeORM attaches its own a
      // microtask later. When PostgreSQL ends the session right after its start-up (the FATAL
      // arrives in the same read as ReadyForQuery), the client emits 'error' with no listener and
      // the process dies. This listener stays for the connection's life; the error still reaches
      // the query that uses the dead connection (503), and the pool drops it on release.
      onConnect: (client: EventEmitter) => void client.on('error', () => undefined),
    },
  };
}

/** For the TypeORM CLI (`npm run migration:generate`) only; the app builds its own from AppConfig. */
export default new DataSource(dataSourceOptions(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/nogi_bff_dev'));
