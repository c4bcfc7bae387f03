import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';
import { eventually } from './tcp-proxy';

const MAIN = join(__dirname, '..', '..', 'dist', 'main.js');

export interface BuiltSandbox {
  /** http://localhost:<port> */
  url: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  stop(): void;
}

/**
 * The compiled service (`dist/main.js`, as `npm start` runs it) in sandbox mode, in an empty
 * working directory, with only PATH, PORT and `env`; resolves once /health/ready answers 200.
 */
export async function startBuiltSandbox(env: Record<string, string> = {}): Promise<BuiltSandbox> {
  const cwd = mkdtempSync(join(tmpdir(), 'built-sandbox-'));
  const port = await freePort();
  const url = `http://localhost:${port}`;
  let output = '';
  const child: ChildProcess = spawn(process.execPath, [MAIN], { cwd, env: { PATH: process.env.PATH ?? '', PORT: String(port), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const stop = () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(cwd, { recursive: true, force: true });
  };
  try {
    await eventually(() => fetch(`${url}/health/ready`).then((r) => r.status, () => 0), (status) => status === 200, 45_000);
  } catch (error) {
    stop();
    throw error;
  }
  return { url, output: () => output, stop };
}
