import { startSimulatorServer, type ListenOptions } from '../../../sandbox/simulator-server';
import { partnerBankSandboxPlugin } from './partner-bank-sandbox.plugin';
import { PartnerBankSandbox, type PartnerBankSandboxOptions } from './partner-bank-sandbox.state';

export interface StartedPartnerBankSandbox {
  /** The API base URL (OPENBANKING_API_URL); the token URL is `${url}/oauth/token`. */
  url: string;
  tokenUrl: string;
  sandbox: PartnerBankSandbox;
  close(): Promise<void>;
}

/** The simulator on its own port (127.0.0.1; port 0 = ephemeral). */
export async function startPartnerBankSandbox(opts: PartnerBankSandboxOptions & ListenOptions): Promise<StartedPartnerBankSandbox> {
  const { port, host, ...options } = opts;
  const sandbox = new PartnerBankSandbox(options);
  const { url, close } = await startSimulatorServer((app) => app.register(partnerBankSandboxPlugin, { sandbox }), { port, host });
  return { url, tokenUrl: `${url}/oauth/token`, sandbox, close };
}
