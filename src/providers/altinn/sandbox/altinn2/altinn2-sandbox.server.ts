import { startSimulatorServer, type ListenOptions, type StartedSimulator } from '../../../../sandbox/simulator-server';
import { altinn2SandboxPlugin } from './altinn2-sandbox.plugin';
import { Altinn2Sandbox, type Altinn2SandboxOptions } from './altinn2-sandbox.state';

export type StartedAltinn2Sandbox = StartedSimulator<Altinn2Sandbox>;

/** The simulator on its own port (127.0.0.1; port 0 = ephemeral), for tests. */
export async function startAltinn2Sandbox(opts: Altinn2SandboxOptions & ListenOptions = {}): Promise<StartedAltinn2Sandbox> {
  const { port, host, ...sandboxOpts } = opts;
  const sandbox = await Altinn2Sandbox.create(sandboxOpts);
  const server = await startSimulatorServer((app) => app.register(altinn2SandboxPlugin, { sandbox }), { port, host });
  return { url: server.url, sandbox, close: server.close };
}
