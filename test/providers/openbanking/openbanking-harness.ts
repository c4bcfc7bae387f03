import { randomBytes, randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { DataCipher } from '../../../src/common/crypto/data-cipher';
import { MetricsService } from '../../../src/metrics/metrics.service';
import { OpenbankingAccountsClient } from '../../../src/providers/openbanking/accounts.client';
import { OpenbankingAccountsService } from '../../../src/providers/openbanking/openbanking-accounts.service';
import type { OpenbankingCredentials } from '../../../src/providers/openbanking/openbanking-credentials';
import { OpenbankingHttpClient } from '../../../src/providers/openbanking/openbanking-http.client';
import { OpenbankingTokenClient } from '../../../src/providers/openbanking/openbanking-token.client';
import { OpenbankingConfig, parseOpenbankingConfig } from '../../../src/providers/openbanking/openbanking.config';
import { Psd2FallbackSigner } from '../../../src/providers/openbanking/psd2-fallback.signer';
import type { StartedPartnerBankSandbox } from '../../../src/providers/openbanking/sandbox';
import type { TestPki } from '../../../src/providers/openbanking/sandbox/test-certificates';
import { RedisStateStore } from '../../../src/redis/redis-state.store';
import { createRedisClient } from '../../../src/redis/redis.module';
import { TEST_REDIS_URL } from '../../support/test-env';

export const SANDBOX_CLIENT = { clientId: 'bff-partner-client', clientSecret: 'partner-secret-for-tests', audience: 'https://openbanking.sandbox.example.no' };

/** One replica of our side: config, HTTP client, credentials of its mode, accounts client and service. */
export interface Replica {
  config: OpenbankingConfig;
  http: OpenbankingHttpClient;
  credentials: OpenbankingCredentials;
  tokens?: OpenbankingTokenClient;
  signer?: Psd2FallbackSigner;
  client: OpenbankingAccountsClient;
  service: OpenbankingAccountsService;
}

export function configFor(env: Record<string, string>): OpenbankingConfig {
  const { config, problems } = parseOpenbankingConfig(env, { sandbox: false });
  if (!config) throw new Error(`bad test configuration: ${problems.map((p) => p.variable).join(', ')}`);
  return config;
}

export function apiEnv(bank: StartedPartnerBankSandbox, extra: Record<string, string> = {}): Record<string, string> {
  return {
    OPENBANKING_MODE: 'api',
    OPENBANKING_API_URL: bank.url,
    OPENBANKING_TOKEN_URL: bank.tokenUrl,
    OPENBANKING_AUDIENCE: SANDBOX_CLIENT.audience,
    OPENBANKING_CLIENT_ID: SANDBOX_CLIENT.clientId,
    OPENBANKING_CLIENT_SECRET: SANDBOX_CLIENT.clientSecret,
    ...extra,
  };
}

export function fallbackEnv(bank: StartedPartnerBankSandbox, pki: TestPki, extra: Record<string, string> = {}): Record<string, string> {
  return {
    OPENBANKING_MODE: 'fallback',
    OPENBANKING_API_URL: bank.url,
    OPENBANKING_QSEAL_KEY: pki.leafKeyPem,
    OPENBANKING_QSEAL_CERT_CHAIN: pki.chainPem,
    OPENBANKING_TPP_NAME: pki.tppName,
    ...extra,
  };
}

/** Redis shared by the replicas of one test (a fresh key prefix each time). */
export class SharedRedis {
  redis!: Redis;
  prefix = '';
  readonly cipher = new DataCipher([randomBytes(32)]);
  private readonly open: OpenbankingHttpClient[] = [];

  async connect(): Promise<void> {
    this.redis = createRedisClient(TEST_REDIS_URL, new Logger('test'));
    await new Promise((resolve) => this.redis.once('ready', resolve));
  }

  fresh(): void {
    this.prefix = `openbanking-${randomUUID()}:`;
  }

  replica(config: OpenbankingConfig): Replica {
    const http = new OpenbankingHttpClient(config, new MetricsService());
    this.open.push(http);
    const tokens = config.mode === 'api' ? new OpenbankingTokenClient(config, http, new RedisStateStore(this.redis, this.prefix), this.cipher) : undefined;
    const signer = config.mode === 'fallback' ? new Psd2FallbackSigner(config.qseal!) : undefined;
    const credentials = (tokens ?? signer)!;
    const client = new OpenbankingAccountsClient(config, http, credentials);
    return { config, http, credentials, tokens, signer, client, service: new OpenbankingAccountsService(client) };
  }

  async closeClients(): Promise<void> {
    await Promise.all(this.open.splice(0).map((h) => h.close()));
  }

  async quit(): Promise<void> {
    await this.closeClients();
    await this.redis.quit();
  }
}
