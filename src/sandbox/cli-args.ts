import { parseArgs } from 'node:util';

/** Small shared argument parsing for the sandbox commands (node:util parseArgs, no dependency). */
export function cliArgs<T extends Record<string, { type: 'string' | 'boolean'; default?: string | boolean }>>(options: T, argv = process.argv.slice(2)) {
  return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
}
