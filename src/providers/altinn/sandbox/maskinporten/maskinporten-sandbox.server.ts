import Fastify from 'fastify';
import { maskinportenSandboxPlugin } from './maskinporten-sandbox.plugin';
import { MaskinportenSandbox, type MaskinportenSandboxOptions } from './maskinporten-sandbox.state';

export interface StartedMaskinportenSandbox {
  /** Base URL; the issuer is this plus `/`. */
  url: string;
  sandbox: MaskinportenSandbox;
  close(): Promise<void>;
}

/** The simulator on its own port (127.0.0.1; port 0 = ephemeral), for tests. */
export async function startMaskinportenSandbox(opts: MaskinportenSandboxOptions & { port?: number; host?: string }): Promise<StartedMaskinportenSandbox> {
  const { port = 0, host = '127.0.0.1', ...sandboxOpts } = opts;
  const sandbox = new MaskinportenSandbox({ ...sandboxOpts, baseUrl: 'http://127.0.0.1' });
  // No logger: the simulator must never write assertions, tokens or national ids anywhere.
  const app = Fastify({ logger: false, forceCloseConnections: true });
  await app.register(maskinportenSandboxPlugin, { sandbox });
  await app.listen({ port, host });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('sandbox did not bind a TCP port');
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  sandbox.baseUrl = url;
  return { url, sandbox, close: () => app.close() };
}
