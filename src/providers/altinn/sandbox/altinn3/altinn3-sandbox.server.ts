import { startSimulatorServer, type ListenOptions, type StartedSimulator } from '../../../../sandbox/simulator-server';
import { altinn3SandboxPlugin } from './altinn3-sandbox.plugin';
import { Altinn3Sandbox } from './altinn3-sandbox.state';
import type { Altinn3SandboxOptions } from './altinn3-sandbox.types';

export type StartedAltinn3Sandbox = StartedSimulator<Altinn3Sandbox>;

/** The simulator on its own port (127.0.0.1; port 0 = ephemeral), for tests; baseUrl becomes the listening URL. */
export async function startAltinn3Sandbox(opts: Omit<Altinn3SandboxOptions, 'baseUrl'> & ListenOptions): Promise<StartedAltinn3Sandbox> {
  const { port, host, ...sandboxOpts } = opts;
  const sandbox = new Altinn3Sandbox({ ...sandboxOpts, baseUrl: 'http://127.0.0.1' });
  const server = await startSimulatorServer((app) => app.register(altinn3SandboxPlugin, { sandbox }), { port, host });
  sandbox.baseUrl = server.url;
  return { url: server.url, sandbox, close: server.close };
}
