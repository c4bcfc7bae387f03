import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

describe('source layout', () => {
  it('has no import cycle among the source files', () => {
    const run = spawnSync(process.execPath, [join(__dirname, '..', '..', 'scripts', 'check-import-cycles.js')], { encoding: 'utf8' });
    expect(run.stdout).toMatch(/ 0 cycle\(s\)/);
    expect(run.status).toBe(0);
  });
});
