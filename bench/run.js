#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * `npm run bench`: the service as production runs it (built, NODE_ENV=production, NOGI_ENV=preprod)
 * against the machine's PostgreSQL (database nogi_bff_bench, recreated) and Redis (DB 15, keys
 * removed afterwards), a sandbox NoGi and caller-token issuer on their own loopback ports (a child
 * process, `npm run sandbox`), driven by autocannon from this process. Prints one table and writes
 * bench/results.md. Only loopback addresses are used; every run is bounded in time or count.
 *
 * Exits non-zero only when the bench itself fails; a missed target is printed as MISS.
 *
 * Flags: --duration S (10)  --warmup S (10)  --connections N (64)  --rounds N (3)  --debt-rate R (500)  --debt-consents N (20)
 *        --nogi-latency-ms MS (20)  --soak N (500000)  --only flow,debt,soak (all)  --cpu-prof DIR
 *        --database-url URL (postgres://postgres@127.0.0.1:5432/nogi_bff_bench)  --redis-url URL (redis://127.0.0.1:6379/15)
 */
const { execFileSync, fork } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { mkdtempSync, openSync, readFileSync, writeFileSync, closeSync } = require('node:fs');
const { createServer } = require('node:net');
const { cpus, tmpdir, totalmem } = require('node:os');
const { join } = require('node:path');
const { parseArgs } = require('node:util');

const root = join(__dirname, '..');
const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '10' },
    connections: { type: 'string', default: '64' },
    /** Service and baseline throughput runs, taking turns; the median ratio counts. */
    rounds: { type: 'string', default: '3' },
    'debt-rate': { type: 'string', default: '500' },
    /** Consents the debt reads are spread over. */
    'debt-consents': { type: 'string', default: '20' },
    'nogi-latency-ms': { type: 'string', default: '20' },
    soak: { type: 'string', default: '500000' },
    /** Run only these parts (comma-separated: flow, debt, soak); results.md is written only for a full run. */
    only: { type: 'string', default: 'flow,debt,soak' },
    /** Write a V8 CPU profile of the service to this folder. */
    'cpu-prof': { type: 'string' },
    'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/nogi_bff_bench' },
    'redis-url': { type: 'string', default: 'redis://127.0.0.1:6379/15' },
  },
});
const DURATION = Number(flags.duration);
const WARMUP = Number(flags.warmup);
const CONNECTIONS = Number(flags.connections);
const ROUNDS = Math.max(1, Number(flags.rounds));
const DEBT_RATE = Number(flags['debt-rate']);
const DEBT_CONSENTS = Math.max(1, Number(flags['debt-consents']));
const NOGI_LATENCY_MS = Number(flags['nogi-latency-ms']);
const SOAK = Number(flags.soak);
/** The soak's warm run, after which the reference RSS is taken. */
const SOAK_WARM = Math.round(SOAK / 10);
const PARTS = new Set(String(flags.only).split(',').map((p) => p.trim()));
for (const part of PARTS) if (!['flow', 'debt', 'soak'].includes(part)) throw new Error(`--only: unknown part ${part}`);
const FULL_RUN = PARTS.size === 3;
const DATABASE_URL = String(flags['database-url']);
const REDIS_URL = String(flags['redis-url']);
const SERVICE_PREFIX = 'nogi-bff:';
const BASELINE_PREFIX = 'bench-baseline:';
/** A synthetic person of the NoGi sandbox (not a real person); never printed. */
const SYNTHETIC_PERSON = '14842249091';
const CLIENT = { id: 'bench-client', secret: randomBytes(16).toString('hex') };
const AUDIENCE = 'nogi-consent-bff-bench';

for (const url of [DATABASE_URL, REDIS_URL]) {
  const host = new URL(url).hostname;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) throw new Error('the bench only talks to loopback addresses');
}

const children = [];
const log = (line) => process.stderr.write(`bench: ${line}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

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

async function waitFor(url, accept, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      if (accept(res.status)) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${new URL(url).pathname} did not come up in ${timeoutMs} ms`);
    await sleep(200);
  }
}

/** A child process with its output in a log file (never on our stdout: no tokens or ids in bench output). */
function start(script, args, env, cwd, name, execArgv = []) {
  const logFile = join(tmpdir(), `nogi-bench-${name}.log`);
  const fd = openSync(logFile, 'w');
  const child = fork(script, args, { cwd, env, execArgv, stdio: ['ignore', fd, fd, 'ipc'] });
  closeSync(fd);
  children.push(child);
  child.once('exit', (code, signal) => {
    if (!stopping) log(`${name} exited early (${code ?? signal}); see ${logFile}`);
  });
  return child;
}

let stopping = false;
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

/** CPU time (user + system) the process has used so far, in ms. */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** The service's event-loop delay since the previous scrape (prom-client resets it on each), in ms. */
async function eventLoopDelay(serviceUrl) {
  const text = await (await fetch(`${serviceUrl}/metrics`)).text();
  // prom-client samples every 10 ms and reports the whole interval; what is beyond it is the delay.
  const value = (name) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? NaN) * 1000 - 10;
  return { p99: value('nodejs_eventloop_lag_p99_seconds'), max: value('nodejs_eventloop_lag_max_seconds') };
}

function rssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

async function json(url, init) {
  const res = await fetch(url, init);
  const text = await res.text();
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${new URL(url).pathname} answered ${res.status}`);
  return text ? JSON.parse(text) : undefined;
}

async function cleanRedis(Redis) {
  const redis = new Redis(REDIS_URL);
  for (const prefix of [SERVICE_PREFIX, BASELINE_PREFIX]) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  }
  await redis.quit();
}

async function main() {
  log('building if needed');
  execFileSync(process.execPath, [join(root, 'scripts', 'ensure-built.js')], { cwd: root, stdio: 'inherit' });
  const autocannon = require('autocannon');
  const { openLoop } = require('./open-loop');
  const Redis = require('ioredis').default;
  const { Client } = require('pg');
  const { migrate } = require(join(root, 'dist', 'database', 'migrate.js'));

  // ---- PostgreSQL database and Redis keys of our own ----
  const dbName = new URL(DATABASE_URL).pathname.slice(1);
  if (!/^[a-z0-9_]+$/.test(dbName) || !/bench/.test(dbName)) throw new Error('the bench database name must contain "bench"');
  const adminUrl = new URL(DATABASE_URL);
  adminUrl.pathname = '/postgres';
  const admin = new Client({ connectionString: adminUrl.toString() });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${dbName}"`);
  await admin.end();
  await migrate(DATABASE_URL, () => undefined);
  await cleanRedis(Redis);
  log(`database ${dbName} created and migrated; Redis keys ${SERVICE_PREFIX}* and ${BASELINE_PREFIX}* cleared`);

  // ---- sandbox NoGi + caller-token issuer (child), then the service (child) ----
  const [nogiPort, idpPort, servicePort] = await Promise.all([freePort(), freePort(), freePort()]);
  const nogiUrl = `http://127.0.0.1:${nogiPort}`;
  const idpUrl = `http://127.0.0.1:${idpPort}`;
  const serviceUrl = `http://127.0.0.1:${servicePort}`;
  const redirectUri = `${serviceUrl}/v1/consent-flows/callback`;
  const sandboxDir = mkdtempSync(join(tmpdir(), 'nogi-bench-sandbox-'));
  start(
    join(root, 'dist', 'sandbox', 'sandbox.main.js'),
    ['--nogi-port', String(nogiPort), '--idp-port', String(idpPort), '--client-id', CLIENT.id, '--client-secret', CLIENT.secret, '--redirect-uri', redirectUri, '--audience', AUDIENCE],
    { ...process.env, NODE_ENV: 'production' },
    sandboxDir,
    'sandbox',
  );
  await waitFor(`${nogiUrl}/.well-known/openid-configuration`, (s) => s === 200);
  await waitFor(`${idpUrl}/.well-known/jwks.json`, (s) => s === 200);

  const serviceProcess = start(
    join(root, 'dist', 'main.js'),
    [],
    {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      NOGI_ENV: 'preprod',
      PORT: String(servicePort),
      DATABASE_URL,
      REDIS_URL,
      NOGI_ISSUER: nogiUrl,
      NOGI_API_URL: nogiUrl,
      NOGI_CLIENT_ID: CLIENT.id,
      NOGI_CLIENT_SECRET: CLIENT.secret,
      NOGI_REDIRECT_URI: redirectUri,
      RETURN_URL_ALLOWLIST: 'https://nettbank.bench',
      AUTH_ISSUER: idpUrl,
      AUTH_AUDIENCE: AUDIENCE,
      AUTH_JWKS_URL: `${idpUrl}/.well-known/jwks.json`,
      DATA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      NATIONAL_ID_HMAC_KEY: randomBytes(32).toString('base64'),
      FEED_POLL_INTERVAL_SECONDS: '0',
    },
    root,
    'service',
    [...(process.env.BENCH_NODE_FLAGS ? process.env.BENCH_NODE_FLAGS.split(' ') : []), ...(flags['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${flags['cpu-prof']}`] : [])],
  );
  await waitFor(`${serviceUrl}/health/ready`, (s) => s === 200);
  const token = (await json(`${idpUrl}/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scope: 'consent:write consent:read debt:read consent:admin' }) })).access_token;
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  log(`service pid ${serviceProcess.pid} on ${serviceUrl}; NoGi sandbox on ${nogiUrl}`);

  /** @param {Record<string, unknown>} opts */
  const cannon = (opts) => autocannon({ ...opts, renderProgressBar: false, renderResultsTable: false });
  const flowBody = JSON.stringify({ nationalId: SYNTHETIC_PERSON, purpose: 'presentation', durationDays: 90, returnUrl: 'https://nettbank.bench/done' });
  const flowRequest = { method: 'POST', headers: auth, body: flowBody };

  /** @type {string[][]} */
  const rows = [];
  const verdict = (ok) => (ok ? 'PASS' : 'MISS');
  const errorsOf = (r) => `${r.non2xx} non-2xx, ${r.errors} errors${r.timeouts === undefined ? '' : `, ${r.timeouts} timeouts`}`;

  // ---- 1. POST /v1/consent-flows vs the bare node:http + ioredis baseline ----
  if (PARTS.has('flow')) {
    log(`POST /v1/consent-flows: warm-up ${WARMUP} s, then ${ROUNDS} rounds of ${DURATION} s each for the service and the baseline, ${CONNECTIONS} connections`);
    await cannon({ url: `${serviceUrl}/v1/consent-flows`, connections: CONNECTIONS, duration: WARMUP, ...flowRequest });
    // The baseline writes values of the sizes the service just wrote.
    const redis = new Redis(REDIS_URL);
    const [, flowKeys] = await redis.scan('0', 'MATCH', `${SERVICE_PREFIX}flow:*`, 'COUNT', 1000);
    const [, stateKeys] = await redis.scan('0', 'MATCH', `${SERVICE_PREFIX}flow-state:*`, 'COUNT', 1000);
    const recordBytes = flowKeys.length ? await redis.strlen(flowKeys[0]) : 700;
    const secretsBytes = stateKeys.length ? await redis.strlen(stateKeys[0]) : 200;
    await redis.quit();
    const baselinePort = await freePort();
    start(join(__dirname, 'baseline-server.js'), [], { PATH: process.env.PATH, PORT: String(baselinePort), REDIS_URL, RECORD_BYTES: String(recordBytes), SECRETS_BYTES: String(secretsBytes), KEY_PREFIX: BASELINE_PREFIX }, root, 'baseline');
    const baselineUrl = `http://127.0.0.1:${baselinePort}/v1/consent-flows`;
    await waitFor(baselineUrl, (s) => s > 0);
    await cannon({ url: baselineUrl, connections: CONNECTIONS, duration: WARMUP, ...flowRequest });

    // Service and baseline take turns, ROUNDS times each: the machine's speed drifts by more than
    // the difference being measured, and turns put both sides under the same drift.
    /** @type {{ service: any, baseline: any, cpuPerRequest: number }[]} */
    const rounds = [];
    for (let round = 0; round < ROUNDS; round++) {
      const cpuBefore = cpuMs(/** @type {number} */ (serviceProcess.pid));
      const serviceRun = await cannon({ url: `${serviceUrl}/v1/consent-flows`, connections: CONNECTIONS, duration: DURATION, ...flowRequest });
      const cpuPerRequest = (cpuMs(/** @type {number} */ (serviceProcess.pid)) - cpuBefore) / serviceRun.requests.total;
      const baselineRun = await cannon({ url: baselineUrl, connections: CONNECTIONS, duration: DURATION, ...flowRequest });
      rounds.push({ service: serviceRun, baseline: baselineRun, cpuPerRequest });
      log(`round ${round + 1}: service ${serviceRun.requests.average.toFixed(0)} req/s, baseline ${baselineRun.requests.average.toFixed(0)} req/s`);
    }
    const ratios = rounds.map((r) => r.service.requests.average / r.baseline.requests.average);
    const median = (/** @type {number[]} */ values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const ratio = median(ratios);
    // The round whose ratio is the median supplies the throughput and latency figures.
    const { service: flowRun, baseline: baseRun, cpuPerRequest: flowCpuPerRequest } = rounds[ratios.indexOf(ratio)];
    rows.push(
      ['POST /v1/consent-flows (JWT on), req/s', flowRun.requests.average.toFixed(0), `p50 ${flowRun.latency.p50} ms, p99 ${flowRun.latency.p99} ms, service CPU ${flowCpuPerRequest.toFixed(3)} ms/request; ${errorsOf(flowRun)}`, '', ''],
      ['Baseline node:http + ioredis MULTI (2 SET), req/s', baseRun.requests.average.toFixed(0), `p50 ${baseRun.latency.p50} ms, p99 ${baseRun.latency.p99} ms; values ${recordBytes} B + ${secretsBytes} B`, '', ''],
      ['Service / baseline throughput (median round)', `${ratio.toFixed(2)}×`, `rounds: ${ratios.map((r) => `${r.toFixed(2)}×`).join(', ')}`, '≥ 0.5×', verdict(ratio >= 0.5)],
    );
  }

  // ---- 2. GET /v1/consents/{id}/debt with NoGi answering in NOGI_LATENCY_MS ----
  const register = () => json(`${serviceUrl}/v1/consents`, { method: 'POST', headers: auth, body: JSON.stringify({ nationalId: SYNTHETIC_PERSON, purpose: 'presentation', durationDays: 365 }) });
  const consent = await register();
  if (PARTS.has('debt')) {
    // Reads spread over DEBT_CONSENTS consents, as a bank's reads are spread over its customers
    // (one consent read 500 times a second would measure PostgreSQL's row lock instead).
    const consents = [consent];
    while (consents.length < DEBT_CONSENTS) consents.push(await register());
    // The sandbox is fresh: the consents just registered are its only ones.
    const sandboxConsents = await json(`${nogiUrl}/_sandbox/consents`);
    if (!Array.isArray(sandboxConsents) || sandboxConsents.length !== consents.length) throw new Error('the sandbox does not show the registered consents');
    await json(`${nogiUrl}/_sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ endpoint: 'debtById', kind: 'latency', latencyMs: NOGI_LATENCY_MS }) });
    const nogiToken = (
      await json(`${nogiUrl}/oauth2/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', audience: `${nogiUrl}/v1/debt`, scope: 'debt.unsecured.presentation debt.unsecured.processing' }).toString(),
      })
    ).access_token;
    const service = { urls: consents.map((c) => `${serviceUrl}/v1/consents/${c.id}/debt`), headers: auth };
    const direct = { urls: sandboxConsents.map((c) => `${nogiUrl}/v1/debt/${encodeURIComponent(String(c.id))}`), headers: { authorization: `Bearer ${nogiToken}` } };
    const load = { rate: DEBT_RATE, connections: Math.max(16, Math.ceil((DEBT_RATE * (NOGI_LATENCY_MS + 30)) / 1000)) };
    log(`GET /v1/consents/{id}/debt over ${consents.length} consents: warm-up ${WARMUP} s, then ${ROUNDS} rounds of ${DURATION} s each through the service and directly, ${DEBT_RATE} req/s, NoGi latency ${NOGI_LATENCY_MS} ms`);
    // The sandbox keeps the last 10 000 calls: its log is read after each service run.
    const countCalls = async () => {
      const tokens = (await json(`${nogiUrl}/_sandbox/calls?endpoint=token`)).filter((c) => c.body?.grant_type === 'client_credentials' && String(c.body?.audience ?? '').endsWith('/v1/debt')).length;
      const debts = (await json(`${nogiUrl}/_sandbox/calls?endpoint=debtById`)).length;
      await fetch(`${nogiUrl}/_sandbox/calls`, { method: 'DELETE' });
      return { tokens, debts };
    };
    let tokenCalls = 0;
    let debtCalls = 0;
    const countServiceCalls = async () => {
      const { tokens, debts } = await countCalls();
      tokenCalls += tokens;
      debtCalls += debts;
    };
    await countCalls();
    await openLoop({ ...service, durationMs: WARMUP * 1000, ...load });
    await countServiceCalls();
    await openLoop({ ...direct, durationMs: WARMUP * 1000, ...load });
    await countCalls();
    const debtRounds = [];
    for (let round = 0; round < ROUNDS; round++) {
      const cpuBefore = cpuMs(/** @type {number} */ (serviceProcess.pid));
      await eventLoopDelay(serviceUrl);
      const serviceRun = await openLoop({ ...service, durationMs: DURATION * 1000, ...load });
      const cpuPerRequest = (cpuMs(/** @type {number} */ (serviceProcess.pid)) - cpuBefore) / serviceRun.sent;
      const loop = await eventLoopDelay(serviceUrl);
      await countServiceCalls();
      const directRun = await openLoop({ ...direct, durationMs: DURATION * 1000, ...load });
      await countCalls();
      debtRounds.push({ serviceRun, directRun, cpuPerRequest, loop, addedP50: serviceRun.p50 - directRun.p50, addedP99: serviceRun.p99 - directRun.p99 });
      log(`round ${round + 1}: added p50 ${(serviceRun.p50 - directRun.p50).toFixed(2)} ms, p99 ${(serviceRun.p99 - directRun.p99).toFixed(2)} ms`);
    }
    await fetch(`${nogiUrl}/_sandbox/faults`, { method: 'DELETE' });
    const medianRound = [...debtRounds].sort((a, b) => a.addedP99 - b.addedP99)[Math.floor(debtRounds.length / 2)];
    const { serviceRun: debtRun, directRun, cpuPerRequest, loop } = medianRound;
    const ms = (/** @type {number} */ v) => `${(Math.round(v * 100) / 100).toFixed(2)} ms`;
    rows.push(
      [`GET /v1/consents/{id}/debt at ${DEBT_RATE} req/s, p50 / p99`, `${debtRun.p50} / ${debtRun.p99} ms`, `${debtRun.rate} req/s, max ${debtRun.max} ms, service CPU ${cpuPerRequest.toFixed(3)} ms/request, event-loop delay p99 ${loop.p99.toFixed(1)} ms, max ${loop.max.toFixed(1)} ms; ${errorsOf(debtRun)}`, '', ''],
      [`Direct sandbox GET /v1/debt/{id} at ${DEBT_RATE} req/s, p50 / p99`, `${directRun.p50} / ${directRun.p99} ms`, `${directRun.rate} req/s, max ${directRun.max} ms; ${errorsOf(directRun)}`, '', ''],
      ['Added latency p50 (median round)', ms(medianRound.addedP50), `rounds: ${debtRounds.map((r) => ms(r.addedP50)).join(', ')}`, '', ''],
      ['Added latency p99 (median round)', ms(medianRound.addedP99), `rounds: ${debtRounds.map((r) => ms(r.addedP99)).join(', ')}`, '≤ 3 ms', verdict(medianRound.addedP99 <= 3)],
      ['NoGi token requests (debt audience) during the debt runs', String(tokenCalls), `${debtCalls} debt calls from the service reached NoGi`, '1', verdict(tokenCalls === 1)],
    );
  }

  // ---- 3. Resident memory after the runs, and after SOAK more requests ----
  if (PARTS.has('soak')) {
    const pid = /** @type {number} */ (serviceProcess.pid);
    const flow = await json(`${serviceUrl}/v1/consent-flows`, { method: 'POST', headers: auth, body: flowBody });
    /** @param {number} amount */
    const soakLoad = (amount) =>
      cannon({
        url: serviceUrl,
        connections: CONNECTIONS,
        amount,
        timeout: 30,
        requests: [
          { method: 'POST', path: '/v1/consent-flows', headers: auth, body: flowBody },
          { method: 'GET', path: `/v1/consent-flows/${flow.id}`, headers: auth },
          { method: 'GET', path: `/v1/consents/${consent.id}`, headers: auth },
          { method: 'GET', path: '/v1/consents?limit=20', headers: { ...auth, 'x-national-id': SYNTHETIC_PERSON } },
        ],
      });
    // RSS is sampled every 250 ms while the load runs, and the peak of a window counts: V8 sizes
    // its heap to the load (here it grows to 150-200 MiB between major collections, with about
    // 45 MiB live), so a single sample lands anywhere on that saw-tooth and two of them differ by
    // ±15 % without any leak. The reference is the peak during a warm run of the soak's own mix
    // after the runs above; the end is the peak during the soak's last tenth.
    /** @type {{ at: number, rss: number }[]} */
    const samples = [];
    const sampler = setInterval(() => samples.push({ at: Date.now(), rss: rssMiB(pid) }), 250);
    /** A window's peak (a window shorter than one sample: the RSS now). */
    const peak = (/** @type {{ rss: number }[]} */ window) => (window.length > 0 ? Math.max(...window.map((x) => x.rss)) : rssMiB(pid));
    log(`soak: a warm run of ${SOAK_WARM} requests, then ${SOAK} (start flow, read flow, read consent, list consents) at ${CONNECTIONS} connections`);
    await soakLoad(SOAK_WARM);
    const rssAfterRun = peak(samples);
    samples.length = 0;
    const soakStarted = Date.now();
    const soakRun = await soakLoad(SOAK);
    clearInterval(sampler);
    const soakEnded = Date.now();
    const soakSeconds = (soakEnded - soakStarted) / 1000;
    const rssAfterSoak = peak(samples.filter((x) => x.at >= soakEnded - (soakEnded - soakStarted) / 10));
    const growth = rssAfterSoak / rssAfterRun - 1;
    rows.push(
      [`Service RSS after the runs: peak during ${SOAK_WARM} soak requests`, `${rssAfterRun.toFixed(1)} MiB`, '', '', ''],
      [`Service RSS after ${SOAK} more: peak in their last tenth`, `${rssAfterSoak.toFixed(1)} MiB`, `${soakSeconds.toFixed(0)} s, ${(soakRun.requests.total / soakSeconds).toFixed(0)} req/s; ${errorsOf(soakRun)}`, '', ''],
      ['RSS growth', `${(growth * 100).toFixed(1)} %`, '', '≤ 20 %', verdict(growth <= 0.2)],
    );
  }

  // ---- the table ----
  const header = ['Measure', 'Value', 'Detail', 'Target', 'Result'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  const table = [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
  process.stdout.write(`\n${table}\n\n`);
  if (!FULL_RUN) return;

  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  writeFileSync(
    join(__dirname, 'results.md'),
    [
      '# Benchmark results',
      '',
      `Written by \`npm run bench\` on ${new Date().toISOString()} — ${machine}.`,
      '',
      `Service: \`node dist/main.js\`, NODE_ENV=production, NOGI_ENV=preprod, local PostgreSQL (\`${dbName}\`) and Redis (\`${new URL(REDIS_URL).pathname || '/0'}\`), caller JWTs verified against the sandbox issuer's JWKS, sandbox NoGi in a child process answering \`/v1/debt/{id}\` in ${NOGI_LATENCY_MS} ms. The load generators run in the bench process on the same ${cpus().length} cores as the service, PostgreSQL, Redis and the sandbox, so every figure includes that contention.`,
      `Runs: ${WARMUP} s warm-up, then ${DURATION} s measured. Throughput: autocannon, ${CONNECTIONS} connections, closed loop, ${ROUNDS} rounds in which the service and the baseline take turns (the median round's ratio counts). Debt latency: bench/open-loop.js over ${DEBT_CONSENTS} consents, ${ROUNDS} rounds in which the service and the sandbox directly take turns (the median round counts), requests sent on a fixed ${DEBT_RATE} req/s schedule and timed in microseconds from send to the end of the body (autocannon's rate-limited latencies are not the requests' own). Memory: the service's peak RSS (sampled every 250 ms) during a warm run of ${SOAK_WARM} soak requests after the runs, against its peak during the last tenth of ${SOAK} more; the soak cycles start flow / read flow / read consent / list consents.`,
      '',
      table,
      '',
    ].join('\n'),
  );
  log('wrote bench/results.md');
}

main()
  .then(
    () => 0,
    (error) => {
      log(`failed: ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    },
  )
  .then(async (code) => {
    await stopAll();
    try {
      await cleanRedis(require('ioredis').default);
    } catch {
      // best effort
    }
    process.exit(code);
  });
