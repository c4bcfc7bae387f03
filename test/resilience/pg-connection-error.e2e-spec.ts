import type { Pool, PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source';
import { TEST_DATABASE_URL } from '../support/test-env';

/**
 * A connection PostgreSQL ends while the pool is handing it out (pg_terminate_backend, a failover)
 * must not take the process down: pg-pool removes its idle 'error' listener before the new holder
 * has attached one, and an 'error' event without a listener is thrown.
 */
describe('PostgreSQL connection errors', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await new DataSource(dataSourceOptions(TEST_DATABASE_URL, { poolSize: 2 })).initialize();
  });
  afterAll(() => dataSource.destroy());

  it('survives an error on a connection that was just handed out, and serves the next query', async () => {
    const pool = (dataSource.driver as unknown as { master: Pool }).master;
    const client: PoolClient = await pool.connect();
    try {
      expect(() => client.emit('error', new Error('terminating connection due to administrator command'))).not.toThrow();
    } finally {
      client.release(true);
    }
    expect(await dataSource.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });
});
