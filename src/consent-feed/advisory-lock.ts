import type { DataSource, QueryRunner } from 'typeorm';

/**
 * Runs `work` on one dedicated connection holding the PostgreSQL session advisory lock `key`
 * (a bigint as text); `{ locked: false }` at once when another session holds it. The lock lives
 * exactly as long as that connection: a replica that dies (or loses its connection) frees it for
 * another. This is how one replica, and one only, polls a provider's feed.
 */
export async function withAdvisoryLock<T>(dataSource: DataSource, key: string, work: (runner: QueryRunner) => Promise<T>): Promise<{ locked: true; value: T } | { locked: false }> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  let broken: unknown;
  try {
    const [{ locked }] = (await runner.query('SELECT pg_try_advisory_lock($1::bigint) AS locked', [key])) as { locked: boolean }[];
    if (!locked) return { locked: false };
    try {
      return { locked: true, value: await work(runner) };
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1::bigint)', [key]).catch((error: unknown) => (broken = error));
    }
  } finally {
    // A session lock must never go back to the pool still held: if unlocking failed, the connection
    // is released with the error, which makes pg-pool close it (TypeORM's own method for that).
    if (broken) await (runner as unknown as { releasePostgresConnection(error: unknown): Promise<void> }).releasePostgresConnection(broken);
    else await runner.release();
  }
}
