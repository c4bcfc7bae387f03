import { startSimulatorServer, type ListenOptions, type StartedSimulator } from '../../../../sandbox/simulator-server';
import { SKATTEETATEN_SANDBOX_PATHS, skatteetatenSandboxPlugin } from './skatteetaten-sandbox.plugin';
import { SkatteetatenSandbox, type SkatteetatenSandboxOptions } from './skatteetaten-sandbox.state';

export type StartedSkatteetatenSandbox = StartedSimulator<SkatteetatenSandbox> & {
  /** The bases to configure as SKATTEETATEN_TAX_ASSESSMENT_URL and SKATTEETATEN_INCOME_URL. */
  taxAssessmentUrl: string;
  incomeUrl: string;
};

/** The simulator on its own port (127.0.0.1; port 0 = ephemeral), for tests. */
export async function startSkatteetatenSandbox(opts: SkatteetatenSandboxOptions & ListenOptions): Promise<StartedSkatteetatenSandbox> {
  const { port, host, ...sandboxOpts } = opts;
  const sandbox = new SkatteetatenSandbox(sandboxOpts);
  const { url, close } = await startSimulatorServer((app) => app.register(skatteetatenSandboxPlugin, { sandbox }), { port, host });
  return { url, taxAssessmentUrl: `${url}${SKATTEETATEN_SANDBOX_PATHS.taxAssessment}`, incomeUrl: `${url}${SKATTEETATEN_SANDBOX_PATHS.income}`, sandbox, close };
}
