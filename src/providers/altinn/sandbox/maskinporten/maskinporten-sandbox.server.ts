import { startSimulatorServer, type ListenOptions, type StartedSimulator } from '../../../../sandbox/simulator-server';
import { maskinportenSandboxPlugin } from './maskinporten-sandbox.plugin';
import { MaskinportenSandbox, type MaskinportenSandboxOptions } from './maskinporten-sandbox.state';

/** `url` is the base URL; the issuer is this plus `/`. */
export type StartedMaskinportenSandbox = StartedSimulator<MaskinportenSandbox>;

/** The simulator on its own port (127.0.0.1; port 0 = ephemeral), for tests; baseUrl becomes the listening URL. */
export async function startMaskinportenSandbox(opts: MaskinportenSandboxOptions & ListenOptions): Promise<StartedMaskinportenSandbox> {
  const { port, host, ...sandboxOpts } = opts;
  const sandbox = new MaskinportenSandbox({ ...sandboxOpts, baseUrl: 'http://127.0.0.1' });
  const server = await startSimulatorServer((app) => app.register(maskinportenSandboxPlugin, { sandbox }), { port, host });
  sandbox.baseUrl = server.url;
  return { url: server.url, sandbox, close: server.close };
}
