import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const MAIN = join(__dirname, '..', '..', 'dist', 'main.js');

function start(env: Record<string, string>): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 20_000 });
  return { status: result.status, stderr: result.stderr };
}

describe('start-up', () => {
  it('refuses to start outside sandbox mode and names every missing variable in one message', () => {
    const { status, stderr } = start({ NOGI_ENV: 'prod', NODE_ENV: 'production' });
    expect(status).toBe(1);
    expect(stderr).toContain('Invalid configuration');
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'NOGI_CLIENT_SECRET', 'AUTH_JWKS_URL', 'DATA_ENCRYPTION_KEY', 'NATIONAL_ID_HMAC_KEY']) {
      expect(stderr).toContain(`${name}: is required outside sandbox mode`);
    }
  });

  it('refuses sandbox mode under NODE_ENV=production', () => {
    const { status, stderr } = start({ NODE_ENV: 'production' });
    expect(status).toBe(1);
    expect(stderr).toMatch(/NOGI_ENV: sandbox mode is refused when NODE_ENV=production/);
  });

  it('names a malformed value without echoing it', () => {
    const { status, stderr } = start({ NOGI_ENV: 'sandbox', DATA_ENCRYPTION_KEY: 'not-a-real-key-value', PORT: 'http' });
    expect(status).toBe(1);
    expect(stderr).toContain('DATA_ENCRYPTION_KEY: must be base64 of exactly 32 bytes');
    expect(stderr).toContain('PORT:');
    expect(stderr).not.toContain('not-a-real-key-value');
  });
});
