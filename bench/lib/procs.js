// @ts-check
'use strict';
/**
 * The bench's child processes (service, sandbox, floors) and what it reads of them from outside:
 * CPU time and resident memory from /proc, so that no process measures itself.
 */
const { fork } = require('node:child_process');
const { closeSync, openSync, readFileSync } = require('node:fs');
const { createServer } = require('node:net');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const log = (/** @type {string} */ line) => process.stderr.write(`bench: ${line}\n`);
const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

/** @type {import('node:child_process').ChildProcess[]} */
const children = [];
let stopping = false;
/** Children stopped on purpose before the end. */
const retired = new WeakSet();

/** @returns {Promise<number>} */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(/** @type {string} */ url, /** @type {(status: number) => boolean} */ accept, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (accept(res.status)) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${new URL(url).pathname} did not come up in ${timeoutMs} ms`);
    await sleep(200);
  }
}

/**
 * A child process with its output in a log file (never on our stdout: no tokens or ids in bench output).
 * @param {string} script @param {string[]} args @param {NodeJS.ProcessEnv} env @param {string} cwd @param {string} name @param {string[]} [execArgv]
 */
function start(script, args, env, cwd, name, execArgv = []) {
  const logFile = join(tmpdir(), `nogi-bench-${name}.log`);
  const fd = openSync(logFile, 'w');
  const child = Object.assign(fork(script, args, { cwd, env, execArgv, stdio: ['ignore', fd, fd, 'ipc'] }), { logFile });
  closeSync(fd);
  children.push(child);
  child.once('exit', (code, signal) => {
    if (!stopping && !retired.has(child)) log(`${name} exited early (${code ?? signal}); see ${logFile}`);
  });
  return child;
}

/** Stops one child the bench no longer needs. @param {import('node:child_process').ChildProcess} child */
function retire(child) {
  retired.add(child);
  child.kill('SIGTERM');
}

async function stopAll() {
  stopping = true;
  await Promise.all(
    children.map(
      (c) =>
        new Promise((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve(undefined);
          const timer = setTimeout(() => c.kill('SIGKILL'), 25_000);
          c.once('exit', () => {
            clearTimeout(timer);
            resolve(undefined);
          });
          c.kill('SIGTERM');
        }),
    ),
  );
}

/** Kills every child still running, synchronously: the last resort when the bench itself exits on an error. */
function killAllNow() {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}

/** CPU time (user + system) the process has used so far, in ms (clock ticks of 10 ms). */
function cpuMs(/** @type {number} */ pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

function rssMiB(/** @type {number} */ pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
}

/** The machine's CPU use outside the given processes over a window, from /proc/stat: how quiet it was. */
function machineCpu() {
  const ticks = readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number);
  const idle = ticks[3] + ticks[4];
  const total = ticks.reduce((a, b) => a + b, 0);
  return { busyMs: ((total - idle) * 1000) / 100, totalMs: (total * 1000) / 100 };
}

/** @param {string} url @param {RequestInit} [init] */
async function json(url, init) {
  const res = await fetch(url, init);
  const text = await res.text();
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${new URL(url).pathname} answered ${res.status}`);
  return text ? JSON.parse(text) : undefined;
}

/** glibc's malloc settings in an environment, as `NAME=value` words (empty when there are none). @param {Record<string, string | undefined>} env */
const mallocEnv = (env) => Object.entries(env).filter(([name]) => name.startsWith('MALLOC_')).map(([name, value]) => `${name}=${value}`).join(' ');

const median = (/** @type {number[]} */ values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

module.exports = { mallocEnv, log, sleep, freePort, waitFor, start, retire, stopAll, killAllNow, cpuMs, rssMiB, machineCpu, json, median };
