// @ts-check
'use strict';
/** The bench's table on stdout, and bench/results.md after a full run, with how quiet the machine was. */
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const { cpus, loadavg, totalmem } = require('node:os');
const { join } = require('node:path');
const { log, machineCpu, mallocEnv, sleep } = require('./procs');

/** How busy the machine was before the bench started anything (5 s sample) — other work competes for the same cores. */
async function machineNote() {
  const before = machineCpu();
  await sleep(5000);
  const after = machineCpu();
  const busy = (after.busyMs - before.busyMs) / (after.totalMs - before.totalMs);
  const note = `before the start the machine was ${(busy * 100).toFixed(0)} % busy over 5 s (of ${cpus().length} cores), load average ${loadavg().map((l) => l.toFixed(2)).join(' / ')}`;
  log(note);
  return note;
}

/** @param {import('../run').Bench} b @param {string} quiet @param {boolean} full */
async function writeResults(b, quiet, full) {
  const header = ['Measure', 'Value', 'Detail', 'Target', 'Result'];
  const widths = header.map((h, i) => Math.max(h.length, ...b.rows.map((r) => r[i].length)));
  const line = (/** @type {string[]} */ cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  const table = [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...b.rows.map(line)].join('\n');
  const end = `at the end the load average was ${loadavg().map((l) => l.toFixed(2)).join(' / ')}`;
  process.stdout.write(`\n${table}\n\n${quiet}; ${end}.\n`);
  if (!full) {
    log('bench/results.md not written: only a full run (every part, 3 rounds or more, a soak of 5×10⁵ or more) writes it');
    return;
  }
  const f = b.flags;
  const changes = join(__dirname, '..', 'changes.md');
  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${readFileSync('/proc/version', 'utf8').split(' ').slice(0, 3).join(' ')}`;
  writeFileSync(
    join(__dirname, '..', 'results.md'),
    [
      '# Benchmark results',
      '',
      `Written by \`npm run bench\` on ${new Date().toISOString()} — ${machine}.`,
      '',
      `**Machine state:** ${quiet}; ${end}. The load generator (wrk), PostgreSQL, Redis, the sandbox and the floors share these cores with the service; the targets are ratios to floors measured in turn with the service in the same run, so that noise falls on both sides.`,
      '',
      `Service: \`node ${[...b.nodeArgs, ''].join(' ')}dist/main.js\`, NODE_ENV=production, NOGI_ENV=preprod, NODE_OPTIONS \`${b.nodeOptions || '(none)'}\`${mallocEnv(b.runtimeEnv) ? ` and ${mallocEnv(b.runtimeEnv)}` : ''} (the Dockerfile's CMD and ENV; the floors run with the same), local PostgreSQL (\`${b.dbName}\`) and Redis (\`${new URL(b.redisUrl).pathname || '/0'}\`), caller JWTs (RS256) verified against the sandbox issuer's JWKS, PROVIDERS=nogi,altinn,openbanking with the sandbox's NoGi, Altinn 3, Maskinporten, Skatteetaten and partner bank (\`npm run sandbox\`, api mode) in a child process.`,
      `Load: wrk (${f.threads} thread${f.threads === 1 ? '' : 's'}), ${f.warmup} s warm-up per target, then ${f.rounds} rounds of ${f.duration} s in which the service and its floor take turns; the median round counts, every round is listed. CPU per request is the process's user + system time from /proc/<pid>/stat over the run, divided by the answers.`,
      `- Consent start: ${f.connections} connections, against the raw \`node:http\` + ioredis baseline (bench/floors/flow-baseline-server.js) writing the same two Redis values.`,
      `- Data reads by consent: ${f.readConnections} connections over ${f.readConsents} consents per dataset, the upstream answering in ${f.upstreamLatencyMs} ms; the floor (bench/floors/read-floor-server.js) is a bare Fastify server doing the route's I/O and nothing else (one indexed PostgreSQL read, one Redis read of the token, one undici call to the simulator, one audit INSERT, JSON out); "added" latency is over the same reads made directly at the simulator in the same round.`,
      `  debt: NoGi's debt API (consents registered through the service). tax-assessment: Skatteetaten with a Maskinporten consent token (consents made through the flow: Altinn 3's consent page, the callback; the service holds one consent token per consent). accounts: the partner bank's account list (the ${f.upstreamLatencyMs} ms are on it), then every account's balances at once (3 accounts) — the floor makes the same four calls; "added" latency there includes the balances calls for both (consents registered with the customer's token).`,
      `- Memory: the service's peak RSS (sampled every 250 ms) during a warm run of ${Math.round(f.soak / 10)} mixed requests, against its peak in the last tenth of ${f.soak} more (${f.connections} connections; start flow, read flow, read consent, list consents, debt by consent).`,
      `- Token requests: every token request the NoGi, Maskinporten and partner-bank simulators received from the service over the whole run, per grant (NoGi: per audience; Maskinporten: per scope, and each consent token per consent and scope; the partner bank: per client and audience), the bench's own requests for its floors left out. A grant passes when no token of it was asked for while the one before had more than a fifth of its life left.`,
      '',
      table,
      '',
      // Hand-kept notes of what each change moved, carried into every full run's record.
      ...(existsSync(changes) ? [readFileSync(changes, 'utf8')] : []),
    ].join('\n'),
  );
  log('wrote bench/results.md');
}

module.exports = { machineNote, writeResults };
