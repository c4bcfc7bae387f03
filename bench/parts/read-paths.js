// @ts-check
'use strict';
/**
 * Data reads by consent against their floors. Each read route is one entry of READ_PATHS: how
 * to make consents of its dataset, the service's path, the upstream call the floor makes (and
 * that is also measured directly), and how the floor gets its upstream token. Everything else —
 * the floor server, the rounds, the figures, the verdict — is shared.
 *
 * To add a route: an entry below with its `setup` (consents, upstream URLs, the floor's token).
 * The simulators are the sandbox's (run.js starts them all); provider-consents.js makes consents.
 */
const { join } = require('node:path');
const { cpuMs, freePort, retire, json, log, median, start, waitFor } = require('../lib/procs');
const { wrk } = require('../lib/wrk');
const { accountsConsent, bankToken, customerToken, maskinportenConsentToken, slowDown, taxAssessmentConsent } = require('./provider-consents');

/** The income year of the tax-assessment consents (the sandbox has data for it). */
const INCOME_YEAR = new Date().getUTCFullYear() - 1;

/** CPU per request at most this many times the floor's. */
const CPU_TARGET = 1.5;

/**
 * @typedef {import('../run').Bench} Bench
 * @typedef {{ serviceIds: string[], upstreamPaths: string[], upstreamHeaders: Record<string, string>, floorToken: string,
 *             floorUpstream: string, floorThen?: string[], floorHeaders?: Record<string, string>, freshToken?: () => Promise<string>,
 *             done?: () => Promise<void> }} ReadSetup
 *   `serviceIds`: consent ids the service and the floor read in turn; `upstreamPaths`: the same
 *   reads made directly at the simulator (same order); `floorUpstream`: URL template with
 *   `{providerConsentId}`; `floorToken`: the upstream token the floor reads from Redis;
 *   `floorThen`: URLs the floor calls at once after the first answer; `floorHeaders`: more upstream headers;
 *   `freshToken`: a new upstream token, asked before every round when tokens live shorter than the phase.
 * @typedef {{ name: string, dataset: string, auditAction: string, servicePath: (id: string) => string,
 *             upstreamOrigin: (b: Bench) => string, setup: (b: Bench) => Promise<ReadSetup> }} ReadPath
 */

/** @type {ReadPath[]} */
const READ_PATHS = [
  {
    name: 'GET /v1/consents/{id}/debt',
    dataset: 'debt',
    auditAction: 'consent.debt_read',
    servicePath: (id) => `/v1/consents/${id}/debt`,
    upstreamOrigin: (b) => b.nogiUrl,
    async setup(b) {
      // Reads spread over several consents, as a bank's reads are spread over its customers
      // (one consent read hundreds of times a second would measure PostgreSQL's row lock instead).
      const consents = [];
      while (consents.length < b.flags.readConsents) consents.push(await b.registerConsent());
      const sandboxConsents = /** @type {Array<{ id: string }>} */ (await json(`${b.nogiUrl}/_sandbox/consents`));
      const byNogiId = new Set(sandboxConsents.map((c) => String(c.id)));
      const ids = consents.map((c) => c.id);
      const rows = await b.db.query('SELECT id, provider_consent_id FROM consent WHERE id = ANY($1)', [ids]);
      const nogiIdOf = new Map(rows.rows.map((r) => [r.id, r.provider_consent_id]));
      if (!ids.every((id) => byNogiId.has(String(nogiIdOf.get(id))))) throw new Error('the sandbox does not show the registered consents');
      await json(`${b.nogiUrl}/_sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ endpoint: 'debtById', kind: 'latency', latencyMs: b.flags.upstreamLatencyMs }) });
      return {
        serviceIds: ids,
        upstreamPaths: ids.map((id) => `/v1/debt/${encodeURIComponent(nogiIdOf.get(id))}`),
        upstreamHeaders: { authorization: `Bearer ${b.nogiDebtToken}` },
        floorToken: b.nogiDebtToken,
        floorUpstream: `${b.nogiUrl}/v1/debt/{providerConsentId}`,
        done: async () => void (await fetch(`${b.nogiUrl}/_sandbox/faults`, { method: 'DELETE' })),
      };
    },
  },
  {
    name: 'GET /v1/consents/{id}/tax-assessment',
    dataset: 'tax-assessment',
    auditAction: 'consent.data_read',
    servicePath: (id) => `/v1/consents/${id}/tax-assessment`,
    upstreamOrigin: (b) => new URL(b.providerEnv.SKATTEETATEN_TAX_ASSESSMENT_URL).origin,
    async setup(b) {
      // Consents through the flow (Altinn's consent page, the callback); the service then holds a
      // Maskinporten consent token per consent, and each read is one Skatteetaten call with it.
      const ids = [];
      while (ids.length < b.flags.readConsents) ids.push(await taxAssessmentConsent(b, INCOME_YEAR));
      // Every consent is the same person's, so one consent token serves the floor's and the direct reads.
      const freshToken = () => maskinportenConsentToken(b, ids[0]);
      const token = await freshToken();
      const url = new URL(`${b.providerEnv.SKATTEETATEN_TAX_ASSESSMENT_URL}/oppgjoer/sbl/${INCOME_YEAR}/${b.syntheticPerson}`);
      return {
        serviceIds: ids,
        upstreamPaths: ids.map(() => url.pathname),
        upstreamHeaders: { authorization: `Bearer ${token}` },
        floorToken: token,
        freshToken,
        floorUpstream: url.toString(),
        done: await slowDown(url.origin, 'summertskattegrunnlag', b.flags.upstreamLatencyMs),
      };
    },
  },
  {
    name: 'GET /v1/consents/{id}/accounts',
    dataset: 'accounts',
    auditAction: 'consent.data_read',
    servicePath: (id) => `/v1/consents/${id}/accounts`,
    upstreamOrigin: (b) => new URL(b.providerEnv.OPENBANKING_API_URL).origin,
    async setup(b) {
      const customer = await customerToken(b, 'consent:write consent:read accounts:read');
      const ids = [];
      while (ids.length < b.flags.readConsents) ids.push(await accountsConsent(b, customer));
      // The route reads the account list, then every account's balances at once: the floor does the same calls.
      const token = await bankToken(b);
      const api = b.providerEnv.OPENBANKING_API_URL.replace(/\/+$/, '');
      const headers = { authorization: `Bearer ${token}`, 'PSU-ID': b.syntheticPerson };
      const list = await json(`${api}/v1/accounts`, { headers });
      const balances = list.accounts.map((/** @type {{ resourceId: string }} */ a) => `${api}/v1/accounts/${encodeURIComponent(a.resourceId)}/balances`);
      if (balances.length === 0) throw new Error('the partner bank has no accounts for the synthetic person');
      return {
        serviceIds: ids,
        upstreamPaths: ids.map(() => new URL(`${api}/v1/accounts`).pathname),
        upstreamHeaders: headers,
        floorToken: token,
        floorUpstream: `${api}/v1/accounts`,
        floorThen: balances,
        floorHeaders: { 'PSU-ID': b.syntheticPerson },
        // The list answers after the latency, the balances at once (service, floor and the direct reads alike).
        done: await slowDown(new URL(api).origin, 'accounts', b.flags.upstreamLatencyMs),
      };
    },
  },
];

/** @param {Bench} b @param {ReadPath} path */
async function measureReadPath(b, path) {
  const s = await path.setup(b);
  const tokenKey = `${b.floorPrefix}${path.dataset}-token`;
  await b.redis.set(tokenKey, s.floorToken, 'EX', 7200);
  const floorPort = await freePort();
  const floor = start(
    join(__dirname, '..', 'floors', 'read-floor-server.js'),
    [],
    { PATH: process.env.PATH, ...b.runtimeEnv, PORT: String(floorPort), DATABASE_URL: b.databaseUrl, REDIS_URL: b.redisUrl, TOKEN_KEY: tokenKey, UPSTREAM_URL: s.floorUpstream, AUDIT_ACTION: path.auditAction, AUDIT_DATASET: path.dataset, UPSTREAM_THEN: (s.floorThen ?? []).join(' '), UPSTREAM_HEADERS: JSON.stringify(s.floorHeaders ?? {}) },
    b.root,
    `floor-${path.dataset}`,
    b.nodeArgs,
  );
  const floorUrl = `http://127.0.0.1:${floorPort}`;
  await waitFor(`${floorUrl}/v1/consents/${s.serviceIds[0]}/x`, (status) => status === 200);

  const reads = (/** @type {Record<string, string>} */ headers) => s.serviceIds.map((id) => ({ method: 'GET', path: path.servicePath(id), headers }));
  const runs = {
    service: { origin: b.serviceUrl, requests: reads(b.auth), pid: b.servicePid },
    floor: { origin: floorUrl, requests: reads({}), pid: /** @type {number} */ (floor.pid) },
    upstream: { origin: path.upstreamOrigin(b), requests: s.upstreamPaths.map((p) => ({ method: 'GET', path: p, headers: s.upstreamHeaders })), pid: undefined },
  };
  // A token that expires within the phase (Maskinporten's live 120 s) is asked anew before every
  // round, for the floor (it reads it from Redis) and the direct reads alike.
  const refresh = async () => {
    if (!s.freshToken) return;
    const token = await s.freshToken();
    await b.redis.set(tokenKey, token, 'EX', 7200);
    runs.upstream.requests = s.upstreamPaths.map((p) => ({ method: 'GET', path: p, headers: { ...s.upstreamHeaders, authorization: `Bearer ${token}` } }));
  };
  const load = { bin: b.wrkBin, connections: b.flags.readConnections, threads: b.flags.threads };
  log(`${path.name} over ${s.serviceIds.length} consents: warm-up ${b.flags.warmup} s each, then ${b.flags.rounds} rounds of ${b.flags.duration} s: service, floor, upstream directly (${b.flags.readConnections} connections, upstream answering in ${b.flags.upstreamLatencyMs} ms)`);
  await refresh();
  for (const run of Object.values(runs)) await wrk({ ...load, origin: run.origin, requests: run.requests, seconds: b.flags.warmup });

  /** @typedef {import('../lib/wrk').WrkResult & { cpu: number }} Measured */
  /** @type {Array<{ service: Measured, floor: Measured, upstream: Measured, cpuRatio: number }>} */
  const rounds = [];
  for (let round = 1; round <= b.flags.rounds; round++) {
    await refresh();
    /** @type {Record<string, Measured>} */
    const r = {};
    for (const [name, run] of Object.entries(runs)) {
      const before = run.pid ? cpuMs(run.pid) : 0;
      const result = await wrk({ ...load, origin: run.origin, requests: run.requests, seconds: b.flags.duration });
      r[name] = { ...result, cpu: run.pid ? (cpuMs(run.pid) - before) / result.requests : NaN };
    }
    const cpuRatio = r.service.cpu / r.floor.cpu;
    rounds.push({ service: r.service, floor: r.floor, upstream: r.upstream, cpuRatio });
    log(
      `${path.name} round ${round}: service ${r.service.rps.toFixed(0)} req/s p50 ${r.service.p50} p99 ${r.service.p99} ms CPU ${r.service.cpu.toFixed(3)} ms/req | ` +
        `floor ${r.floor.rps.toFixed(0)} req/s p50 ${r.floor.p50} p99 ${r.floor.p99} ms CPU ${r.floor.cpu.toFixed(3)} ms/req | upstream p50 ${r.upstream.p50} p99 ${r.upstream.p99} ms | CPU ratio ${cpuRatio.toFixed(2)}×`,
    );
  }
  await s.done?.();
  retire(floor);

  const ratio = median(rounds.map((r) => r.cpuRatio));
  const m = /** @type {(typeof rounds)[number]} */ (rounds.find((r) => r.cpuRatio === ratio));
  const ms = (/** @type {number} */ v) => `${v.toFixed(2)} ms`;
  const errs = (/** @type {import('../lib/wrk').WrkResult} */ w) => `${w.non2xx} answers ≥ 400, ${w.errors} socket errors, ${w.timeouts} timeouts`;
  const each = (/** @type {(r: (typeof rounds)[number]) => string} */ f) => rounds.map(f).join(', ');
  b.rows.push(
    [`${path.name}: service`, `${m.service.rps.toFixed(0)} req/s`, `CPU ${m.service.cpu.toFixed(3)} ms/request; p50 ${m.service.p50} ms, p99 ${m.service.p99} ms; added over upstream p50 ${ms(m.service.p50 - m.upstream.p50)}, p99 ${ms(m.service.p99 - m.upstream.p99)}; ${errs(m.service)}`, '', ''],
    [`${path.name}: floor (Fastify + pg + ioredis + undici)`, `${m.floor.rps.toFixed(0)} req/s`, `CPU ${m.floor.cpu.toFixed(3)} ms/request; p50 ${m.floor.p50} ms, p99 ${m.floor.p99} ms; added over upstream p50 ${ms(m.floor.p50 - m.upstream.p50)}, p99 ${ms(m.floor.p99 - m.upstream.p99)}; ${errs(m.floor)}`, '', ''],
    [`${path.name}: upstream directly`, `${m.upstream.rps.toFixed(0)} req/s`, `p50 ${m.upstream.p50} ms, p99 ${m.upstream.p99} ms; ${errs(m.upstream)}`, '', ''],
    [`${path.name}: CPU/request, service ÷ floor (median round)`, `${ratio.toFixed(2)}×`, `rounds: ${each((r) => `${r.cpuRatio.toFixed(2)}× (${r.service.cpu.toFixed(3)} / ${r.floor.cpu.toFixed(3)} ms)`)}`, `≤ ${CPU_TARGET}×`, ratio <= CPU_TARGET ? 'PASS' : 'MISS'],
    [`${path.name}: added p50 / p99, service vs floor, per round`, '', each((r) => `${ms(r.service.p50 - r.upstream.p50)} / ${ms(r.service.p99 - r.upstream.p99)} vs ${ms(r.floor.p50 - r.upstream.p50)} / ${ms(r.floor.p99 - r.upstream.p99)}`), '', ''],
  );
}

module.exports = { READ_PATHS, measureReadPath };
