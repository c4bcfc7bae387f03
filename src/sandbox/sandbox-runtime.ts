import { join } from 'node:path';
import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig } from '../config/app-config';
import { SANDBOX_PATHS } from '../config/config.loader';
import { EmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres';
import { NogiSandbox } from '../providers/nogi/sandbox/nogi-sandbox.state';
import { nogiSandboxPlugin } from '../providers/nogi/sandbox/nogi-sandbox.plugin';
import { SandboxIssuer, sandboxIssuerPlugin } from './sandbox-issuer';

export interface SandboxRuntime {
  /** The configuration with the embedded parts filled in. */
  config: AppConfig;
  /** Present when the bank IdP is the local one (AUTH_* unset). */
  issuer: SandboxIssuer | undefined;
  /** Present when NoGi is the embedded simulator (NOGI_ISSUER unset). */
  nogi: NogiSandbox | undefined;
  /** Lines for the start-up banner. */
  banner: string[];
  mount(app: NestFastifyApplication): Promise<void>;
  stop(): Promise<void>;
}

export const sandboxKeyFile = (dataDir: string) => join(dataDir, 'idp-key.json');

/**
 * Sandbox mode (NOGI_ENV=sandbox): starts what is not configured — PostgreSQL, the bank IdP,
 * NoGi — inside this process. Never called outside sandbox mode (the config loader refuses
 * sandbox mode under NODE_ENV=production).
 */
export async function startSandboxRuntime(base: AppConfig, dataDir: string): Promise<SandboxRuntime> {
  if (!base.sandbox) throw new Error('The sandbox runtime starts only in sandbox mode');
  const local = `http://localhost:${base.port}`;
  const banner: string[] = [];
  let config = base;

  let database: EmbeddedPostgres | undefined;
  if (!base.databaseUrl) {
    database = await startEmbeddedPostgres(dataDir === 'memory' ? 'memory' : join(dataDir, 'pgdata'));
    config = config.with({ databaseUrl: database.url, databasePoolSize: 1 });
    banner.push(`PostgreSQL   embedded (PGlite)${dataDir === 'memory' ? ', in memory' : `, data in ${join(dataDir, 'pgdata')}`}`);
  } else {
    banner.push('PostgreSQL   DATABASE_URL');
  }
  banner.push(`Redis        ${base.redisUrl ? 'REDIS_URL' : 'in-process state store'}`);

  const issuer =
    base.authIssuer === `${local}${SANDBOX_PATHS.idp}`
      ? await SandboxIssuer.create({
          issuer: base.authIssuer,
          audience: base.authAudience,
          nationalIdClaim: base.authNationalIdClaim,
          keyFile: dataDir === 'memory' ? undefined : sandboxKeyFile(dataDir),
        })
      : undefined;
  banner.push(`Caller IdP   ${issuer ? `local issuer ${base.authIssuer}` : base.authIssuer}`);

  const nogi =
    base.nogiIssuer === `${local}${SANDBOX_PATHS.nogi}`
      ? new NogiSandbox({
          baseUrl: base.nogiIssuer,
          clients: [{ clientId: base.nogiClientId, clientSecret: base.nogiClientSecret, redirectUris: [base.nogiRedirectUri] }],
        })
      : undefined;
  banner.push(`NoGi         ${nogi ? `simulator ${base.nogiIssuer}` : base.nogiIssuer}`);

  return {
    config,
    issuer,
    nogi,
    banner,
    mount: async (app) => {
      if (issuer) {
        await app.register(
          async (scope: FastifyInstance) => {
            await scope.register(formbody);
            await scope.register(sandboxIssuerPlugin, { issuer });
          },
          { prefix: SANDBOX_PATHS.idp },
        );
      }
      if (nogi) await app.register(nogiSandboxPlugin, { prefix: SANDBOX_PATHS.nogi, sandbox: nogi });
    },
    stop: async () => {
      await database?.stop();
    },
  };
}
