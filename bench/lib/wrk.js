// @ts-check
'use strict';
/**
 * Load from `wrk` (Debian's package, a C load generator): a Node load generator on the same two
 * cores as the service takes CPU from it and compresses every ratio toward 1.
 *
 * Each run gets a generated Lua script (in a private temporary folder: it holds the caller's
 * token) and reports through wrk's `done` hook as one JSON line. One request is sent as wrk's
 * static request (no Lua per request); several are sent in turn through `request()`. A run is
 * bounded in time, or in count: the script reports progress and this process stops wrk with
 * SIGINT (on which wrk still reports) once enough answers came back.
 */
const { execFileSync, spawn } = require('node:child_process');
const { existsSync, mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const dir = mkdtempSync(join(tmpdir(), 'nogi-bench-wrk-'));
process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
let scripts = 0;

/** The wrk binary; installed from Debian's packages when missing and we may (root, apt-get), else a clear failure. */
function ensureWrk(/** @type {(line: string) => void} */ log) {
  const onPath = (process.env.PATH ?? '').split(':').map((p) => join(p, 'wrk')).find((p) => existsSync(p));
  if (onPath) return onPath;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root || !existsSync('/usr/bin/apt-get')) {
    throw new Error('wrk is not installed: install it from your distribution (Debian/Ubuntu: sudo apt-get install wrk) and run the bench again');
  }
  log('installing wrk (Debian package)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', 'wrk'], { stdio: 'inherit', env });
  if (!existsSync('/usr/bin/wrk')) throw new Error('apt-get install wrk did not install /usr/bin/wrk');
  return '/usr/bin/wrk';
}

/** A Lua string literal. */
const lua = (/** @type {string} */ s) => JSON.stringify(s).replace(/\\u([0-9a-fA-F]{4})/g, (_, h) => `\\u{${h}}`);

/**
 * @typedef {{ method: string, path: string, headers?: Record<string, string>, body?: string }} WrkRequest
 * @typedef {{ requests: number, seconds: number, rps: number, p50: number, p90: number, p99: number, max: number, non2xx: number, errors: number, timeouts: number }} WrkResult
 *   latencies in ms; `non2xx` is wrk's count of answers ≥ 400; `errors` connect/read/write errors.
 */

function script(/** @type {WrkRequest[]} */ requests, /** @type {string} */ host, /** @type {number | undefined} */ progressEvery) {
  const lines = [];
  const [first] = requests;
  if (requests.length === 1) {
    lines.push(`wrk.method = ${lua(first.method)}`, `wrk.path = ${lua(first.path)}`);
    for (const [k, v] of Object.entries(first.headers ?? {})) lines.push(`wrk.headers[${lua(k)}] = ${lua(v)}`);
    if (first.body !== undefined) lines.push(`wrk.body = ${lua(first.body)}`);
  } else {
    lines.push('local reqs = {}', 'local i = 0');
    for (const r of requests) {
      // wrk.format adds no Host header when called while the script loads (wrk.host is not set yet).
      const headers = Object.entries({ Host: host, ...r.headers }).map(([k, v]) => `[${lua(k)}] = ${lua(v)}`);
      lines.push(`table.insert(reqs, wrk.format(${lua(r.method)}, ${lua(r.path)}, { ${headers.join(', ')} }, ${r.body === undefined ? 'nil' : lua(r.body)}))`);
    }
    lines.push('request = function() i = i % #reqs + 1; return reqs[i] end');
  }
  if (progressEvery) {
    lines.push('local n = 0', `response = function() n = n + 1; if n % ${progressEvery} == 0 then io.write("WRK_PROGRESS ", n, "\\n"); io.flush() end end`);
  }
  lines.push(
    'done = function(s, lat)',
    '  io.write(string.format(\'WRK_JSON {"requests":%d,"us":%d,"p50":%d,"p90":%d,"p99":%d,"max":%d,"status":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d}\\n\',',
    '    s.requests, s.duration, lat:percentile(50), lat:percentile(90), lat:percentile(99), lat.max, s.errors.status, s.errors.connect, s.errors.read, s.errors.write, s.errors.timeout))',
    'end',
  );
  return `${lines.join('\n')}\n`;
}

/** wrk processes under way: a soak's runs for up to a day unless told to stop. */
const running = new Set();

/** Stops every wrk still running (the bench was interrupted). */
function stopWrk() {
  for (const child of running) child.kill('SIGKILL');
}

/**
 * @param {{ bin: string, origin: string, requests: WrkRequest[], connections: number, threads?: number,
 *           seconds?: number, amount?: number, timeoutS?: number }} options
 *   `seconds`: a timed run; `amount`: stop after that many answers (then `seconds` is only a bound).
 * @returns {Promise<WrkResult>}
 */
function wrk({ bin, origin, requests, connections, threads = 1, seconds, amount, timeoutS = 10 }) {
  if (!seconds && !amount) throw new Error('wrk: seconds or amount');
  const progressEvery = amount ? Math.max(100, Math.min(5000, Math.floor(amount / 100))) : undefined;
  const file = join(dir, `run-${++scripts}.lua`);
  writeFileSync(file, script(requests, new URL(origin).host, progressEvery), { mode: 0o600 });
  const duration = seconds ?? 86_400;
  const args = ['-t', String(threads), '-c', String(Math.max(connections, threads)), '-d', `${duration}s`, '--timeout', `${timeoutS}s`, '-s', file, origin];
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let out = '';
    let err = '';
    let stopped = false;
    let reports = 0;
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      out += chunk;
      if (amount && !stopped) {
        // Each report stands for progressEvery more answers, whichever thread sent it.
        reports += (chunk.match(/^WRK_PROGRESS /gm) ?? []).length;
        const total = reports * /** @type {number} */ (progressEvery);
        if (total >= amount) {
          stopped = true;
          child.kill('SIGINT');
        }
        if (out.length > 1_000_000) out = out.slice(-1000);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk) => (err += chunk));
    child.once('error', reject);
    child.once('exit', (code) => {
      running.delete(child);
      rmSync(file, { force: true });
      const line = /^WRK_JSON (.*)$/m.exec(out);
      if (!line) return reject(new Error(`wrk ${code === null ? 'was killed' : `exited ${code}`} without a report: ${err.trim().slice(0, 300)}`));
      const r = JSON.parse(line[1]);
      const ms = (/** @type {number} */ us) => Math.round(us / 10) / 100;
      const secs = r.us / 1e6;
      resolve({
        requests: r.requests,
        seconds: secs,
        rps: r.requests / secs,
        p50: ms(r.p50),
        p90: ms(r.p90),
        p99: ms(r.p99),
        max: ms(r.max),
        non2xx: r.status,
        errors: r.connect + r.read + r.write,
        timeouts: r.timeout,
      });
    });
  });
}

module.exports = { ensureWrk, stopWrk, wrk };
