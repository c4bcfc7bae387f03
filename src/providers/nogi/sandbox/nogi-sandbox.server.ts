import { startSimulatorServer, type ListenOptions, type StartedSimulator } from '../../../sandbox/simulator-server';
import { nogiSandboxPlugin } from './nogi-sandbox.plugin';
import { NogiSandbox, type NogiSandboxOptions } from './nogi-sandbox.state';

export type StartedNogiSandbox = StartedSimulator<NogiSandbox>;

/** The simulator on its own port (127.0.0.1; port 0 = ephemeral); baseUrl becomes the listening URL. */
export async function startNogiSandbox(opts: Omit<NogiSandboxOptions, 'baseUrl'> & ListenOptions): Promise<StartedNogiSandbox> {
  const { port, host, ...sandboxOpts } = opts;
  const sandbox = new NogiSandbox({ ...sandboxOpts, baseUrl: 'http://127.0.0.1' });
  const server = await startSimulatorServer((app) => app.register(nogiSandboxPlugin, { sandbox }), { port, host });
  sandbox.baseUrl = server.url;
  return { url: server.url, sandbox, close: server.close };
}
