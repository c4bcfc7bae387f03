import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { elevenDigitRuns } from '../../src/common/logging';
import { isValidNationalId } from '../../src/common/national-id';
import { TEST_LOG_DIR } from './test-env';

/**
 * The whole run's logs (every test app, including failing inserts and upstream errors) must not
 * contain a national id: any 11-digit run with valid check digits fails the run (the scrub's own
 * notion of a run, so a UUID whose last group holds 11 digits is not one).
 */
export default async function globalTeardown(): Promise<void> {
  const offenders: string[] = [];
  let lines = 0;
  for (const file of readdirSync(TEST_LOG_DIR)) {
    const text = readFileSync(join(TEST_LOG_DIR, file), 'utf8');
    lines += text.split('\n').length - 1;
    for (const match of elevenDigitRuns(text)) {
      if (isValidNationalId(match)) offenders.push(`${file}: ${match.slice(0, 4)}…`);
    }
  }
  if (offenders.length > 0) throw new Error(`National ids found in test logs:\n${offenders.join('\n')}`);
  process.stdout.write(`\nlog scan: ${lines} log lines of this run checked, no national id found\n`);
}
