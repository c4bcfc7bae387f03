import Fastify from 'fastify';
import { nogiSandboxPlugin } from './nogi-sandbox.plugin';
import { NogiSandbox, type NogiSandboxOptions } from './nogi-sandbox.state';

export interface StartedNogiSandbox {
  url: string;
  sandbox: NogiSandbox;
  close(): Promise<void>;
}

/** The simulator on its own port (127.0.0.1; port 0 = ephemeral); baseUrl becomes the listening URL. */
export async function startNogiSandbox(opts: Omit<NogiSandboxOptions, 'baseUrl'> & { port?: number; host?: string }): Promise<StartedNogiSandbox> {
  const { port = 0, host = '127.0.0.1', ...sandboxOpts } = opts;
  const sandbox = new NogiSandbox({ ...sandboxOpts, baseUrl: 'http://127.0.0.1' });
  // No logger: the sandbox must never write national ids or tokens anywhere.
  // forceCloseConnections: `timeout` faults keep sockets open on purpose.
  const app = Fastify({ logger: false, forceCloseConnections: true });
  await app.register(nogiSandboxPlugin, { sandbox });
  await app.listen({ port, host });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('sandbox did not bind a TCP port');
  const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${hostPart}:${address.port}`;
  sandbox.baseUrl = url;
  return { url, sandbox, close: () => app.close() };
}
