import Fastify, { FastifyInstance } from 'fastify';
import { parseOpenbankingConfig } from '../../../src/providers/openbanking/openbanking.config';
import { PartnerBankSandbox, partnerBankSandboxPlugin, partnerBankSandboxSetup } from '../../../src/providers/openbanking/sandbox';
import { freePort } from '../../support/free-port';
import { OTHER_PERSON_WITH_DEBT } from '../../support/national-ids';
import { SharedRedis } from './openbanking-harness';

describe('Sandbox mode: the simulator mounted under a prefix, OPENBANKING_* from its defaults', () => {
  let app: FastifyInstance;
  let sandbox: PartnerBankSandbox;
  let setup: Awaited<ReturnType<typeof partnerBankSandboxSetup>>;
  const shared = new SharedRedis();

  beforeAll(async () => {
    await shared.connect();
    shared.fresh();
    // As the service would: its own URL is known before the defaults are made.
    const port = await freePort();
    setup = await partnerBankSandboxSetup(`http://127.0.0.1:${port}/sandbox/openbanking/`);
    sandbox = new PartnerBankSandbox(setup.simulator);
    app = Fastify({ logger: false, forceCloseConnections: true });
    await app.register(partnerBankSandboxPlugin, { prefix: '/sandbox/openbanking', sandbox });
    await app.listen({ port, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await shared.quit();
    await app.close();
  });

  it.each(['api', 'fallback'])("reads a synthetic person's accounts in %s mode with only OPENBANKING_MODE set", async (mode) => {
    const { config, problems } = parseOpenbankingConfig({ OPENBANKING_MODE: mode }, { sandbox: true, sandboxDefaults: setup.defaults });
    expect(problems).toEqual([]);
    const { accounts } = await shared.replica(config!).service.accountsWithBalances(OTHER_PERSON_WITH_DEBT);
    expect(accounts.map((a) => a.name)).toEqual(['Lønnskonto Ola Hansen', 'Felleskonto']);
    expect(sandbox.getCalls('accounts').slice(-1)[0].headers.authorization).toBe(mode === 'api' ? 'Bearer' : 'none');
  });
});
