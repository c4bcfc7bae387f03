import { Test } from '@nestjs/testing';
import { DataCipher } from '../../../src/common/crypto/data-cipher';
import { MetricsService } from '../../../src/metrics/metrics.service';
import { OpenbankingAccountsService } from '../../../src/providers/openbanking/openbanking-accounts.service';
import { OpenbankingHttpClient } from '../../../src/providers/openbanking/openbanking-http.client';
import { OpenbankingConfig } from '../../../src/providers/openbanking/openbanking.config';
import { OPENBANKING_PROVIDERS } from '../../../src/providers/openbanking/openbanking.providers';
import { createTestPki, startPartnerBankSandbox, StartedPartnerBankSandbox, TestPki } from '../../../src/providers/openbanking/sandbox';
import { RedisStateStore } from '../../../src/redis/redis-state.store';
import { StateStore } from '../../../src/redis/state-store';
import { PERSON_WITH_DEBT } from '../../support/national-ids';
import { apiEnv, configFor, fallbackEnv, SANDBOX_CLIENT, SharedRedis } from './openbanking-harness';

describe('OPENBANKING_PROVIDERS in a Nest module', () => {
  let bank: StartedPartnerBankSandbox;
  let pki: TestPki;
  const shared = new SharedRedis();
  beforeAll(async () => {
    await shared.connect();
    shared.fresh();
    pki = await createTestPki();
    bank = await startPartnerBankSandbox({ ...SANDBOX_CLIENT, trustedCaPem: pki.caCertPem });
  });
  afterAll(async () => {
    await shared.quit();
    await bank.close();
  });

  it.each(['api', 'fallback'])('resolves the service with the credentials of %s mode', async (mode) => {
    const config = configFor(mode === 'api' ? apiEnv(bank) : fallbackEnv(bank, pki));
    const moduleRef = await Test.createTestingModule({
      providers: [
        { provide: OpenbankingConfig, useValue: config },
        MetricsService,
        { provide: StateStore, useValue: new RedisStateStore(shared.redis, shared.prefix) },
        { provide: DataCipher, useValue: shared.cipher },
        ...OPENBANKING_PROVIDERS,
      ],
    }).compile();
    try {
      const { accounts } = await moduleRef.get(OpenbankingAccountsService).accountsWithBalances(PERSON_WITH_DEBT);
      expect(accounts).toHaveLength(3);
      expect(bank.sandbox.getCalls('accounts').slice(-1)[0].headers.authorization).toBe(mode === 'api' ? 'Bearer' : 'none');
    } finally {
      await moduleRef.get(OpenbankingHttpClient).close();
      await moduleRef.close();
    }
  });
});
