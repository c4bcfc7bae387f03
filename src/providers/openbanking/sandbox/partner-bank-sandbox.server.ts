import Fastify from 'fastify';
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
export async function startPartnerBankSandbox(opts: PartnerBankSandboxOptions & { port?: number; host?: string }): Promise<StartedPartnerBankSandbox> {
  const { port = 0, host = '127.0.0.1', ...options } = opts;
  const sandbox = new PartnerBankSandbox(options);
  // No logger: the simulator must never write national ids or tokens anywhere.
  // forceCloseConnections: `timeout` faults keep sockets open on purpose.
  const app = Fastify({ logger: false, forceCloseConnections: true });
  await app.register(partnerBankSandboxPlugin, { sandbox });
  await app.listen({ port, host });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('sandbox did not bind a TCP port');
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  return { url, tokenUrl: `${url}/oauth/token`, sandbox, close: () => app.close() };
}
