import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { eventually } from '../support/tcp-proxy';

const LOGGING = join(__dirname, '..', '..', 'dist', 'common', 'logging.js');

/**
 * The compiled logger writing to a real stdout pipe in a child process (as the service's pod
 * does): lines are batched, so this checks that none waits long, none is lost when the process
 * exits, and what the process writes to stdout itself comes after the lines logged before it.
 */
function run(script: string): { output: () => string; exited: Promise<number | null>; kill: () => void } {
  const child = spawn(process.execPath, ['-e', `const { createLogger, flushLogs } = require(${JSON.stringify(LOGGING)});\nconst log = createLogger({ level: 'info' });\n${script}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { output: () => output, exited, kill: () => child.kill('SIGKILL') };
}

const messages = (output: string) =>
  output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => (JSON.parse(line) as { msg: string }).msg);

describe('log output on stdout', () => {
  it('writes a lone line while the process keeps running, without waiting for more lines or the exit', async () => {
    // Killed once the line is seen: nothing flushes at exit, so only the periodic flush can have written it.
    const child = run(`log.info('lone line'); setTimeout(() => {}, 20_000);`);
    try {
      await eventually(async () => child.output(), (output) => output.includes('lone line'), 5_000);
    } finally {
      child.kill();
    }
    await child.exited;
  });

  it('loses no line when the process exits: process.exit, an uncaught exception, the end of its work', async () => {
    for (const ending of ['process.exit(0);', "throw new Error('boom');", '']) {
      const child = run(`for (let i = 0; i < 2000; i++) log.info({ i }, 'line ' + i); log.info('last'); ${ending}`);
      await child.exited;
      const logged = messages(child.output());
      expect(logged).toEqual([...Array.from({ length: 2000 }, (_, i) => `line ${i}`), 'last']);
    }
  });

  it('puts what the process writes to stdout itself after the lines logged before it, once flushed', async () => {
    const child = run(`log.info('logged first'); flushLogs(); process.stdout.write('banner\\n'); log.info('logged after'); process.exit(0);`);
    await child.exited;
    const output = child.output();
    expect(output.indexOf('logged first')).toBeGreaterThanOrEqual(0);
    expect(output.indexOf('logged first')).toBeLessThan(output.indexOf('banner'));
    expect(output.indexOf('banner')).toBeLessThan(output.indexOf('logged after'));
  });
});
