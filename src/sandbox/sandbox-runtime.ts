import { join } from 'node:path';
import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig } from '../config/app-config';
import { loadOpenbankingConfig, SANDBOX_PATHS } from '../config/config.loader';
import { EmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres';
import { NogiSandbox } from '../providers/nogi/sandbox/nogi-sandbox.state';
import { nogiSandboxPlugin } from '../providers/nogi/sandbox/nogi-sandbox.plugin';
import { PartnerBankSandbox, partnerBankSandboxPlugin, partnerBankSandboxSetup, PARTNER_BANK_SANDBOX_PATH } from '../providers/openbanking/sandbox';
import { SandboxIssuer, sandboxIssuerPlugin } from './sandbox-issuer';
import { ALTINN_SANDBOX_PATHS, publicGrantJwk, SANDBOX_ORG_NUMBER } from '../providers/altinn/altinn-settings';
import { type AltinnSimulators, createAltinnSimulators, placeAltinnSimulators } from '../providers/altinn/sandbox/altinn-simulators';
import { altinn3SandboxPlugin } from '../providers/altinn/sandbox/altinn3';
import { maskinportenSandboxPlugin } from '../providers/altinn/sandbox/maskinporten';
import { altinn2SamtykkeVerifier, skatteetatenSandboxPlugin } from '../providers/altinn/sandbox/skatteetaten';
import { Altinn2Sandbox, altinn2SandboxPlugin } from '../providers/altinn/sandbox/altinn2';
import { ALTINN2_SANDBOX_API_KEY } from '../providers/altinn/altinn2/altinn2.config';

export interface SandboxRuntime {
  /** The configuration with the embedded parts filled in. */
  config: AppConfig;
  /** Present when the bank IdP is the local one (AUTH_* unset). */
  issuer: SandboxIssuer | undefined;
  /** Present when NoGi is the embedded simulator (NOGI_ISSUER unset). */
  nogi: NogiSandbox | undefined;
  /** Present when openbanking is enabled and its API is the embedded partner-bank simulator (OPENBANKING_API_URL unset). */
  partnerBank?: PartnerBankSandbox;
  /** Present when Altinn is enabled and points at the embedded simulators (ALTINN_PLATFORM_URL unset). */
  altinn: AltinnSimulators | undefined;
  /** Present with ALTINN_VERSION=2 when ALTINN2_URL points at the embedded Altinn 2 simulator. */
  altinn2?: Altinn2Sandbox;
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
export async function startSandboxRuntime(base: AppConfig, dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<SandboxRuntime> {
  if (!base.sandbox) throw new Error('The sandbox runtime starts only in sandbox mode');
  const local = `http://localhost:${base.port}`;
  const banner: string[] = [];
  let config = base;

  // Before the database starts, so a wrong OPENBANKING_* stops start-up with nothing to clean up.
  const partnerBank = await startPartnerBank(base, env, `${local}${PARTNER_BANK_SANDBOX_PATH}`);
  if (partnerBank) config = config.with({ openbanking: partnerBank.config });

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
  if (partnerBank) banner.push(partnerBank.banner);

  // Altinn 3, Maskinporten and Skatteetaten: simulators with this run's generated client key.
  const altinnBase = `${local}${ALTINN_SANDBOX_PATHS.altinn}`;
  const mp = base.maskinporten;
  // Altinn 2 (ALTINN_VERSION=2): its simulator knows the sandbox ApiKey; Skatteetaten checks AltinnSamtykke with its keys.
  const altinn2 = base.altinn2?.url === `${local}${ALTINN_SANDBOX_PATHS.altinn2}` ? await Altinn2Sandbox.create({ apiKeys: { [ALTINN2_SANDBOX_API_KEY]: SANDBOX_ORG_NUMBER } }) : undefined;
  const altinnSamtykke = altinn2 ? altinn2SamtykkeVerifier(altinn2.verifyConsentToken) : undefined;
  const altinn =
    base.altinn?.platformUrl === altinnBase && mp && 'kid' in mp.binding
      ? createAltinnSimulators({ clientId: mp.clientId, orgNumber: base.altinn.orgNumber, key: { kid: mp.binding.kid, publicJwk: publicGrantJwk(mp.privateKey, mp.binding.kid) }, eventHoldBackMs: 0, altinnSamtykke })
      : undefined;
  if (altinn) placeAltinnSimulators(altinn, { maskinporten: `${local}${ALTINN_SANDBOX_PATHS.maskinporten}`, altinn: altinnBase });
  if (base.altinn) banner.push(`Altinn 3     ${altinn ? `simulators ${altinnBase}, ${local}${ALTINN_SANDBOX_PATHS.maskinporten}, ${local}${ALTINN_SANDBOX_PATHS.skatteetaten}` : base.altinn.platformUrl}`);
  if (base.altinn2) banner.push(`Altinn 2     ${altinn2 ? `simulator ${local}${ALTINN_SANDBOX_PATHS.altinn2} (ALTINN_VERSION=2)` : `${base.altinn2.url} (ALTINN_VERSION=2)`}`);

  return {
    config,
    issuer,
    nogi,
    partnerBank: partnerBank?.simulator,
    altinn,
    altinn2,
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
      if (partnerBank?.simulator) await app.register(partnerBankSandboxPlugin, { prefix: PARTNER_BANK_SANDBOX_PATH, sandbox: partnerBank.simulator });
      if (altinn) {
        await app.register(maskinportenSandboxPlugin, { prefix: ALTINN_SANDBOX_PATHS.maskinporten, sandbox: altinn.maskinporten });
        await app.register(altinn3SandboxPlugin, { prefix: ALTINN_SANDBOX_PATHS.altinn, sandbox: altinn.altinn3 });
        await app.register(skatteetatenSandboxPlugin, { prefix: ALTINN_SANDBOX_PATHS.skatteetaten, sandbox: altinn.skatteetaten });
      }
      if (altinn2) await app.register(altinn2SandboxPlugin, { prefix: ALTINN_SANDBOX_PATHS.altinn2, sandbox: altinn2 });
    },
    stop: async () => {
      await database?.stop();
    },
  };
}

/**
 * Open banking in sandbox mode: OPENBANKING_* with the simulator's defaults (a test QSeal made in
 * memory for `fallback` mode, which is why this is async and not in loadConfig), and the simulator
 * itself when OPENBANKING_API_URL points at it.
 */
async function startPartnerBank(base: AppConfig, env: NodeJS.ProcessEnv, url: string) {
  if (!base.providers.includes('openbanking') || base.openbanking) return undefined;
  const setup = await partnerBankSandboxSetup(url);
  const config = loadOpenbankingConfig(env, { sandbox: true, sandboxDefaults: setup.defaults, httpsProxy: base.httpsProxy });
  const simulator = config.apiUrl === url ? new PartnerBankSandbox(setup.simulator) : undefined;
  return { config, simulator, banner: `Partner bank ${simulator ? `simulator ${url}` : config.apiUrl} (OPENBANKING_MODE=${config.mode})` };
}
