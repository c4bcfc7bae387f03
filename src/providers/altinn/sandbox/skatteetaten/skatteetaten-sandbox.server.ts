import Fastify from 'fastify';
import { SKATTEETATEN_SANDBOX_PATHS, skatteetatenSandboxPlugin } from './skatteetaten-sandbox.plugin';
import { SkatteetatenSandbox, type SkatteetatenSandboxOptions } from './skatteetaten-sandbox.state';

export interface StartedSkatteetatenSandbox {
  url: string;
  /** The bases to configure as SKATTEETATEN_TAX_ASSESSMENT_URL and SKATTEETATEN_INCOME_URL. */
  taxAssessmentUrl: string;
  incomeUrl: string;
  sandbox: SkatteetatenSandbox;
  close(): Promise<void>;
}

/** The simulator on its own port (127.0.0.1; port 0 = ephemeral), for tests. */
export async function startSkatteetatenSandbox(opts: SkatteetatenSandboxOptions & { port?: number; host?: string }): Promise<StartedSkatteetatenSandbox> {
  const { port = 0, host = '127.0.0.1', ...sandboxOpts } = opts;
  const sandbox = new SkatteetatenSandbox(sandboxOpts);
  // No logger: URLs hold national ids.
  const app = Fastify({ logger: false, forceCloseConnections: true });
  await app.register(skatteetatenSandboxPlugin, { sandbox });
  await app.listen({ port, host });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('sandbox did not bind a TCP port');
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  return { url, taxAssessmentUrl: `${url}${SKATTEETATEN_SANDBOX_PATHS.taxAssessment}`, incomeUrl: `${url}${SKATTEETATEN_SANDBOX_PATHS.income}`, sandbox, close: () => app.close() };
}
