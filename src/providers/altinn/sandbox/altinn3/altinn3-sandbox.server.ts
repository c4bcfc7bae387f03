import Fastify from 'fastify';
import { altinn3SandboxPlugin } from './altinn3-sandbox.plugin';
import { Altinn3Sandbox } from './altinn3-sandbox.state';
import type { Altinn3SandboxOptions } from './altinn3-sandbox.types';

export interface StartedAltinn3Sandbox {
  url: string;
  sandbox: Altinn3Sandbox;
  close(): Promise<void>;
}

/** The simulator on its own port (127.0.0.1; port 0 = ephemeral), for tests; baseUrl becomes the listening URL. */
export async function startAltinn3Sandbox(opts: Omit<Altinn3SandboxOptions, 'baseUrl'> & { port?: number; host?: string }): Promise<StartedAltinn3Sandbox> {
  const { port = 0, host = '127.0.0.1', ...sandboxOpts } = opts;
  const sandbox = new Altinn3Sandbox({ ...sandboxOpts, baseUrl: 'http://127.0.0.1' });
  // No logger: the sandbox must never write national ids or tokens anywhere.
  // forceCloseConnections: `timeout` faults keep sockets open on purpose.
  const app = Fastify({ logger: false, forceCloseConnections: true });
  await app.register(altinn3SandboxPlugin, { sandbox });
  await app.listen({ port, host });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('sandbox did not bind a TCP port');
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  sandbox.baseUrl = url;
  return { url, sandbox, close: () => app.close() };
}
