import { startSimulatorServer, type ListenOptions, type StartedSimulator } from '../../../sandbox/simulator-server';
import { partnerBankSandboxPlugin } from './partner-bank-sandbox.plugin';
import { PartnerBankSandbox, type PartnerBankSandboxOptions } from './partner-bank-sandbox.state';

/** `url` is the API base URL (OPENBANKING_API_URL); the token URL is `${url}/oauth/token`. */
export type StartedPartnerBankSandbox = StartedSimulator<PartnerBankSandbox> & { tokenUrl: string };

/** The simulator on its own port (127.0.0.1; port 0 = ephemeral). */
export async function startPartnerBankSandbox(opts: PartnerBankSandboxOptions & ListenOptions): Promise<StartedPartnerBankSandbox> {
  const { port, host, ...options } = opts;
  const sandbox = new PartnerBankSandbox(options);
  const { url, close } = await startSimulatorServer((app) => app.register(partnerBankSandboxPlugin, { sandbox }), { port, host });
  return { url, tokenUrl: `${url}/oauth/token`, sandbox, close };
}
