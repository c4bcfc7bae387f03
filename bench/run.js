#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * `npm run bench`: the service as production runs it (built, NODE_ENV=production, NOGI_ENV=preprod,
 * the Dockerfile's NODE_OPTIONS) against the machine's PostgreSQL (database nogi_bff_bench,
 * recreated) and Redis (DB 15, the bench's keys removed afterwards), a sandbox NoGi and
 * caller-token issuer, Altinn 3, Maskinporten, Skatteetaten and the partner bank on their own
 * loopback ports (a child process, `npm run sandbox`), loaded by
 * `wrk`. Every target is a ratio to a floor measured in the same run, in turns, so the machine's
 * noise falls on both sides. Prints every round and one table; a full run writes bench/results.md.
 * Only loopback addresses are used; every run is bounded in time or count.
 *
 * Exits non-zero only when the bench itself fails; a missed target is printed as MISS.
 */
const { execFileSync } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { mkdtempSync, readFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const { parseArgs } = require('node:util');
const { freePort, json, killAllNow, log, sleep, start, stopAll, waitFor } = require('./lib/procs');
const { TokenWatch, tokenRows } = require('./lib/token-watch');
const { ensureWrk, stopWrk } = require('./lib/wrk');
const { machineNote, writeResults } = require('./lib/report');

const root = join(__dirname, '..');
const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '10' },
    /** Rounds in which the service and its floor take turns; the median round counts (five: one round's ratio moves by ±0.15 on a shared 2-core machine). */
    rounds: { type: 'string', default: '5' },
    /** Connections of the throughput and soak runs. */
    connections: { type: 'string', default: '64' },
    /** Connections of the data-read runs: few enough that the upstream's latency, not a queue, sets the pace. */
    'read-connections': { type: 'string', default: '10' },
    'read-consents': { type: 'string', default: '20' },
    'upstream-latency-ms': { type: 'string', default: '20' },
    soak: { type: 'string', default: '500000' },
    /** wrk threads (each one is a core's worth of load generation on a machine that has few). */
    threads: { type: 'string', default: '1' },
    /** Run only these parts (comma-separated: flow, reads, soak); results.md is written only by a full run. */
    only: { type: 'string', default: 'flow,reads,soak' },
    /** With reads: only the read paths of these datasets (comma-separated: debt, tax-assessment, accounts). */
    datasets: { type: 'string' },
    /** The service's NODE_OPTIONS instead of the Dockerfile's (to try other heap limits). */
    'node-options': { type: 'string' },
    /** Node's command-line flags instead of those of the Dockerfile's CMD (V8 flags NODE_OPTIONS refuses), space-separated. */
    'node-args': { type: 'string' },
    /** Write a V8 CPU profile of the service to this folder. */
    'cpu-prof': { type: 'string' },
    'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/nogi_bff_bench' },
    'redis-url': { type: 'string', default: 'redis://127.0.0.1:6379/15' },
  },
});
const PARTS = new Set(String(args.only).split(',').map((p) => p.trim()));
for (const part of PARTS) if (!['flow', 'reads', 'soak'].includes(part)) throw new Error(`--only: unknown part ${part}`);
const flags = {
  duration: Number(args.duration),
  warmup: Number(args.warmup),
  rounds: Math.max(1, Number(args.rounds)),
  connections: Number(args.connections),
  readConnections: Number(args['read-connections']),
  readConsents: Math.max(1, Number(args['read-consents'])),
  upstreamLatencyMs: Number(args['upstream-latency-ms']),
  soak: Number(args.soak),
  threads: Math.max(1, Number(args.threads)),
};
const DATABASE_URL = String(args['database-url']);
const REDIS_URL = String(args['redis-url']);
const SERVICE_PREFIX = 'nogi-bff:';
const FLOOR_PREFIX = 'bench-floor:';
/** A synthetic person of the NoGi sandbox (not a real person); never printed. */
const SYNTHETIC_PERSON = '14842249091';
const CLIENT = { id: 'bench-client', secret: randomBytes(16).toString('hex') };
const AUDIENCE = 'nogi-consent-bff-bench';

for (const url of [DATABASE_URL, REDIS_URL]) {
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(new URL(url).hostname)) throw new Error('the bench only talks to loopback addresses');
}

// The service, its floors and the sandbox run on this process's node (fork). The machine's own
// older node (`node bench/run.js` without the project's first on PATH) would measure another V8,
// not the image's runtime; `npm run bench` puts the project's Node first on PATH.
/** The production image's definition: its Node version here, its runtime settings in imageEnv(). */
const DOCKERFILE = readFileSync(join(root, 'Dockerfile'), 'utf8');
const imageNodeMajor = /^FROM node:(\d+)\./m.exec(DOCKERFILE)?.[1];
if (imageNodeMajor && process.versions.node.split('.')[0] !== imageNodeMajor) {
  throw new Error(`this is Node ${process.version}, the image runs Node ${imageNodeMajor}: run the bench with \`npm run bench\``);
}

/**
 * The grant of a Maskinporten token request: its scope, and for a consent grant the consent
 * request it names (each consent's token is a grant of its own). @param {any} call
 */
function maskinportenGrant(call) {
  const a = call.assertion;
  if (!a || typeof a.scope !== 'string') return null;
  return a.consentGrant ? `consent ${a.scope} ${a.consentId ?? '(no id)'}` : a.scope;
}

/**
 * The environment the production image runs Node with (the Dockerfile's ENV NODE_OPTIONS and
 * glibc's MALLOC_* settings), so the bench measures the same heap and allocator;
 * --node-options replaces the Node options.
 */
function imageEnv() {
  const nodeOptions = /NODE_OPTIONS="([^"]*)"/.exec(DOCKERFILE)?.[1] ?? '';
  /** @type {Record<string, string>} glibc's malloc settings (MALLOC_ARENA_MAX, MALLOC_MMAP_THRESHOLD_, …) */
  const malloc = Object.fromEntries([...DOCKERFILE.matchAll(/\b(MALLOC_[A-Z_]+)=(\d+)/g)].map((m) => [m[1], m[2]]));
  return { NODE_OPTIONS: args['node-options'] ?? nodeOptions, ...malloc };
}

/**
 * The flags the image's CMD gives node before the script (`CMD ["node", <flags>, "dist/main.js"]`):
 * V8 flags that NODE_OPTIONS refuses. --node-args replaces them.
 */
function imageNodeArgs() {
  if (args['node-args'] !== undefined) return args['node-args'].split(' ').filter(Boolean);
  const cmd = /^CMD (\[.*\])$/m.exec(DOCKERFILE);
  if (!cmd) throw new Error('the Dockerfile has no exec-form CMD');
  const argv = /** @type {string[]} */ (JSON.parse(cmd[1]));
  if (argv[0] !== 'node' || argv.at(-1) !== 'dist/main.js') throw new Error(`the Dockerfile's CMD is not node … dist/main.js: ${cmd[1]}`);
  return argv.slice(1, -1);
}

async function cleanRedis(/** @type {any} */ Redis) {
  const redis = new Redis(REDIS_URL);
  for (const prefix of [SERVICE_PREFIX, FLOOR_PREFIX]) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  }
  await redis.quit();
}

/**
 * The sandbox's printed settings for the other providers (KEY=value words of its output), with the
 * Maskinporten key read from the file it names. Waits for the output: the simulators start last.
 * @param {string} logFile @param {string} cwd @returns {Promise<Record<string, string>>}
 */
async function sandboxProviderEnv(logFile, cwd) {
  const deadline = Date.now() + 60_000;
  let text = '';
  while (!/SKATTEETATEN_INCOME_URL=\S+/.test(text) || !/OPENBANKING_CLIENT_SECRET=\S+/.test(text)) {
    if (Date.now() > deadline) throw new Error('the sandbox did not print the provider settings');
    await sleep(200);
    text = readFileSync(logFile, 'utf8');
  }
  const names = ['ALTINN_PLATFORM_URL', 'ALTINN_ORG_NUMBER', 'MASKINPORTEN_ISSUER', 'MASKINPORTEN_CLIENT_ID', 'MASKINPORTEN_KID', 'SKATTEETATEN_TAX_ASSESSMENT_URL', 'SKATTEETATEN_INCOME_URL', 'OPENBANKING_API_URL', 'OPENBANKING_TOKEN_URL', 'OPENBANKING_AUDIENCE', 'OPENBANKING_CLIENT_ID', 'OPENBANKING_CLIENT_SECRET'];
  /** @type {Record<string, string>} */
  const env = {};
  for (const name of names) {
    const value = new RegExp(`\\b${name}=([^\\s"]+)`).exec(text)?.[1];
    if (!value) throw new Error(`the sandbox printed no ${name}`);
    env[name] = value;
  }
  const keyFile = /MASKINPORTEN_PRIVATE_KEY="\$\(cat ([^)]+)\)"/.exec(text)?.[1];
  if (!keyFile) throw new Error('the sandbox printed no Maskinporten key file');
  env.MASKINPORTEN_PRIVATE_KEY = readFileSync(resolve(cwd, keyFile), 'utf8');
  return env;
}

/** What the parts share: the processes, their addresses, the caller's token, the table's rows. */
async function setUp() {
  const wrkBin = ensureWrk(log);
  log('building if needed');
  execFileSync(process.execPath, [join(root, 'scripts', 'ensure-built.js')], { cwd: root, stdio: 'inherit' });
  const Redis = require('ioredis').default;
  const { Client } = require('pg');
  const { migrate } = require(join(root, 'dist', 'database', 'migrate.js'));

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
  log(`database ${dbName} created and migrated; Redis keys ${SERVICE_PREFIX}* and ${FLOOR_PREFIX}* cleared`);

  const [nogiPort, idpPort, servicePort, bankPort, maskinportenPort, altinnPort, skatteetatenPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort(), freePort(), freePort()]);
  const nogiUrl = `http://127.0.0.1:${nogiPort}`;
  const idpUrl = `http://127.0.0.1:${idpPort}`;
  const serviceUrl = `http://127.0.0.1:${servicePort}`;
  const redirectUri = `${serviceUrl}/v1/consent-flows/callback`;
  const sandboxArgs = ['--nogi-port', String(nogiPort), '--idp-port', String(idpPort), '--client-id', CLIENT.id, '--client-secret', CLIENT.secret, '--redirect-uri', redirectUri, '--audience', AUDIENCE];
  sandboxArgs.push('--openbanking-port', String(bankPort), '--maskinporten-port', String(maskinportenPort), '--altinn-port', String(altinnPort), '--skatteetaten-port', String(skatteetatenPort));
  const sandboxDir = mkdtempSync(join(tmpdir(), 'nogi-bench-sandbox-'));
  const sandbox = start(join(root, 'dist', 'sandbox', 'sandbox.main.js'), sandboxArgs, { ...process.env, NODE_ENV: 'production' }, sandboxDir, 'sandbox');
  await waitFor(`${nogiUrl}/.well-known/openid-configuration`, (s) => s === 200);
  await waitFor(`${idpUrl}/.well-known/jwks.json`, (s) => s === 200);
  // The Altinn, Maskinporten, Skatteetaten and partner-bank settings, as the sandbox prints them for a service.
  const providerEnv = await sandboxProviderEnv(sandbox.logFile, sandboxDir);

  // The bench's own NoGi token (for the direct calls and the floors), taken before the watch starts.
  const nogiToken = await json(`${nogiUrl}/oauth2/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', audience: `${nogiUrl}/v1/debt`, scope: 'debt.unsecured.presentation debt.unsecured.processing' }).toString(),
  });
  // Every token request the simulators get from the service, per grant, for the whole run.
  const tokens = {
    nogi: new TokenWatch(`${nogiUrl}/_sandbox/calls?endpoint=token`, (c) => (c.body?.grant_type === 'client_credentials' ? `client_credentials ${String(c.body?.audience ?? '(no audience)').replace(nogiUrl, '<nogi>')}` : null)),
    maskinporten: new TokenWatch(`http://127.0.0.1:${maskinportenPort}/_sandbox/calls?endpoint=token`, maskinportenGrant),
    bank: new TokenWatch(`http://127.0.0.1:${bankPort}/_sandbox/calls?endpoint=token`, (c) => (c.body ? `client_credentials ${c.body.client_id} ${c.body.audience}` : null)),
  };
  for (const watch of Object.values(tokens)) await watch.start();

  const runtimeEnv = imageEnv();
  const nodeOptions = runtimeEnv.NODE_OPTIONS;
  const nodeArgs = imageNodeArgs();
  const profile = args['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${args['cpu-prof']}`] : [];
  const service = start(
    join(root, 'dist', 'main.js'),
    [],
    {
      PATH: process.env.PATH,
      ...runtimeEnv,
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
      PROVIDERS: 'nogi,altinn,openbanking',
      ...providerEnv,
      ALTINN_REDIRECT_URI: `${serviceUrl}/v1/consent-flows/callback/altinn`,
      ALTINN_EVENTS_POLL_INTERVAL_SECONDS: '0',
    },
    root,
    'service',
    [...nodeArgs, ...profile],
  );
  await waitFor(`${serviceUrl}/health/ready`, (s) => s === 200);
  const callerToken = (await json(`${idpUrl}/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scope: 'consent:write consent:read debt:read income:read accounts:read consent:admin' }) })).access_token;
  const auth = { authorization: `Bearer ${callerToken}`, 'content-type': 'application/json' };
  log(`service pid ${service.pid} on ${serviceUrl} (node ${[...nodeArgs, ''].join(' ')}dist/main.js, NODE_OPTIONS "${nodeOptions}"); NoGi sandbox on ${nogiUrl}; wrk ${wrkBin}`);
  const db = new Client({ connectionString: DATABASE_URL });
  // A lost connection (PostgreSQL restarted, the database dropped) fails the part that queries next, not the whole process unhandled.
  db.on('error', (error) => log(`bench database connection: ${error.message}`));
  await db.connect();
  const redis = new Redis(REDIS_URL);
  return {
    root,
    flags,
    wrkBin,
    databaseUrl: DATABASE_URL,
    redisUrl: REDIS_URL,
    dbName,
    servicePrefix: SERVICE_PREFIX,
    floorPrefix: FLOOR_PREFIX,
    syntheticPerson: SYNTHETIC_PERSON,
    nogiUrl,
    idpUrl,
    /** The settings the service got for Altinn, Maskinporten, Skatteetaten and the partner bank (sandbox values only). */
    providerEnv,
    nogiDebtToken: /** @type {string} */ (nogiToken.access_token),
    nogiTokenLifetimeS: Number(nogiToken.expires_in),
    serviceUrl,
    servicePid: /** @type {number} */ (service.pid),
    nodeOptions,
    /** The flags the image's CMD gives node, for the service and the floors alike. */
    nodeArgs,
    /** NODE_OPTIONS and glibc's MALLOC_* as the image sets them, for the service and the floors alike. */
    runtimeEnv,
    auth,
    flowBody: JSON.stringify({ nationalId: SYNTHETIC_PERSON, purpose: 'presentation', durationDays: 90, returnUrl: 'https://nettbank.bench/done' }),
    /** A consent registered through the service (at NoGi's Agreement API). */
    registerConsent: () => json(`${serviceUrl}/v1/consents`, { method: 'POST', headers: auth, body: JSON.stringify({ nationalId: SYNTHETIC_PERSON, purpose: 'presentation', durationDays: 365 }) }),
    db,
    redis,
    tokens,
    /** Token lifetimes (s) of the simulators, learnt from the bench's own token requests. */
    lifetimes: { maskinporten: 0, bank: 0 },
    /** @type {string[][]} */
    rows: [],
  };
}

/** @typedef {Awaited<ReturnType<typeof setUp>>} Bench */

async function main() {
  const quiet = await machineNote();
  const b = await setUp();
  if (PARTS.has('flow')) await require('./parts/flow').measureFlowStart(b);
  if (PARTS.has('reads')) {
    const { READ_PATHS, measureReadPath } = require('./parts/read-paths');
    const datasets = args.datasets?.split(',').map((d) => d.trim());
    for (const path of READ_PATHS) if (!datasets || datasets.includes(path.dataset)) await measureReadPath(b, path);
  }
  if (PARTS.has('soak')) await require('./parts/soak').measureSoak(b);

  // Exactly one token request per token lifetime per grant, counted at the simulators over the whole run.
  const nogi = await b.tokens.nogi.stop();
  b.rows.push(...tokenRows('NoGi', nogi.requests, nogi.seconds, b.nogiTokenLifetimeS, (grant) => grant));
  const maskinporten = await b.tokens.maskinporten.stop();
  b.rows.push(...tokenRows('Maskinporten', maskinporten.requests, maskinporten.seconds, b.lifetimes.maskinporten, (grant) => (grant.startsWith('consent ') ? `consent tokens (one grant per consent and scope), ${grant.split(' ')[1]}` : grant)));
  const bank = await b.tokens.bank.stop();
  b.rows.push(...tokenRows('Partner bank', bank.requests, bank.seconds, b.lifetimes.bank, (grant) => grant.replace(/ \S+ /, ' <client> ')));
  await b.db.end();
  await b.redis.quit();
  // bench/results.md is the record of a full run: every part, at least 3 rounds, the whole soak.
  await writeResults(b, quiet, PARTS.size === 3 && !args.datasets && flags.rounds >= 3 && flags.soak >= 500_000);
}

// Exiting on an error the bench did not catch: nothing it started outlives it.
process.once('exit', () => {
  stopWrk();
  killAllNow();
});

// Interrupted (Ctrl-C, a timeout): no wrk, service, sandbox or floor is left running to load the machine.
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.once(signal, () => {
    log(`${signal}: stopping wrk and every child process`);
    stopWrk();
    void stopAll().finally(() => process.exit(130));
  });
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

module.exports = {};
