import Fastify from 'fastify';
import { altinn2SandboxPlugin } from './altinn2-sandbox.plugin';
import { Altinn2Sandbox, type Altinn2SandboxOptions } from './altinn2-sandbox.state';

export interface StartedAltinn2Sandbox {
  url: string;
  sandbox: Altinn2Sandbox;
  close(): Promise<void>;
}

/** The simulator on its own port (127.0.0.1; port 0 = ephemeral), for tests. */
export async function startAltinn2Sandbox(opts: Altinn2SandboxOptions & { port?: number; host?: string } = {}): Promise<StartedAltinn2Sandbox> {
  const { port = 0, host = '127.0.0.1', ...sandboxOpts } = opts;
  const sandbox = await Altinn2Sandbox.create(sandboxOpts);
  // No logger: the simulator must never write national ids, codes or tokens anywhere.
  const app = Fastify({ logger: false, forceCloseConnections: true });
  await app.register(altinn2SandboxPlugin, { sandbox });
  await app.listen({ port, host });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('sandbox did not bind a TCP port');
  return { url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`, sandbox, close: () => app.close() };
}
