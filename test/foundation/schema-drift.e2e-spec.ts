import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source';
import { createMigratedDatabase, suiteDatabaseName } from '../support/test-database';

/** The committed migrations and the entities describe the same schema (synchronize is off everywhere). */
describe('database schema', () => {
  let database: { url: string; drop(): Promise<void> };
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createMigratedDatabase(suiteDatabaseName('drift'));
    dataSource = await new DataSource(dataSourceOptions(database.url, { poolSize: 1 })).initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('needs no change after all migrations ran: entities and migrations have not drifted', async () => {
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('has no pending migration and can roll the last one back and forward again', async () => {
    expect(await dataSource.showMigrations()).toBe(false);
    await dataSource.undoLastMigration();
    expect(await dataSource.showMigrations()).toBe(true);
    await dataSource.runMigrations();
    expect((await dataSource.driver.createSchemaBuilder().log()).upQueries).toEqual([]);
  });
});
