import { ConfigError, loadConfig } from '../../src/config/config.loader';

export const testKey = (byte: number) => Buffer.alloc(32, byte).toString('base64');

/** A complete production configuration (NoGi preprod), for the loader's specs to vary. */
export const PRODUCTION_ENV = {
  NODE_ENV: 'production',
  NOGI_ENV: 'preprod',
  DATABASE_URL: 'postgres://db.internal/nogi',
  REDIS_URL: 'rediss://cache.internal:6380',
  NOGI_CLIENT_ID: 'bank-client',
  NOGI_CLIENT_SECRET: 'from-the-secret-store',
  NOGI_REDIRECT_URI: 'https://bank.example/v1/consent-flows/callback',
  RETURN_URL_ALLOWLIST: 'https://nettbank.bank.example, https://app.bank.example',
  AUTH_ISSUER: 'https://idp.bank.example',
  AUTH_AUDIENCE: 'nogi-consent-bff',
  AUTH_JWKS_URL: 'https://idp.bank.example/jwks',
  DATA_ENCRYPTION_KEY: `${testKey(1)},${testKey(2)}`,
  NATIONAL_ID_HMAC_KEY: testKey(3),
};

/** The variables a configuration is refused for (none when it loads). */
export function configProblemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => p.variable);
    throw error;
  }
  return [];
}
