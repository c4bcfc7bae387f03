// @ts-check
'use strict';
/**
 * POST /v1/consent-flows against its floor, the raw `node:http` + ioredis baseline doing the same
 * Redis writes: throughput in turns over the rounds, the median round's ratio counting.
 */
const { join } = require('node:path');
const { cpuMs, freePort, retire, log, median, start, waitFor } = require('../lib/procs');
const { wrk } = require('../lib/wrk');

/** The consent start's throughput at least this share of the baseline's. */
const THROUGHPUT_TARGET = 0.65;

/** @param {import('../run').Bench} b */
async function measureFlowStart(b) {
  const request = { method: 'POST', path: '/v1/consent-flows', headers: b.auth, body: b.flowBody };
  const load = { bin: b.wrkBin, connections: b.flags.connections, threads: b.flags.threads, requests: [request] };
  log(`POST /v1/consent-flows: warm-up ${b.flags.warmup} s each, then ${b.flags.rounds} rounds of ${b.flags.duration} s for the service and the baseline in turn, ${b.flags.connections} connections`);
  await wrk({ ...load, origin: b.serviceUrl, seconds: b.flags.warmup });
  // The baseline writes values of the sizes the service just wrote.
  const [, flowKeys] = await b.redis.scan('0', 'MATCH', `${b.servicePrefix}flow:*`, 'COUNT', 1000);
  const [, stateKeys] = await b.redis.scan('0', 'MATCH', `${b.servicePrefix}flow-state:*`, 'COUNT', 1000);
  const recordBytes = flowKeys.length ? await b.redis.strlen(flowKeys[0]) : 700;
  const secretsBytes = stateKeys.length ? await b.redis.strlen(stateKeys[0]) : 200;
  const port = await freePort();
  const baseline = start(
    join(__dirname, '..', 'floors', 'flow-baseline-server.js'),
    [],
    { PATH: process.env.PATH, ...b.runtimeEnv, PORT: String(port), REDIS_URL: b.redisUrl, RECORD_BYTES: String(recordBytes), SECRETS_BYTES: String(secretsBytes), KEY_PREFIX: b.floorPrefix },
    b.root,
    'flow-baseline',
    b.nodeArgs,
  );
  const baselineUrl = `http://127.0.0.1:${port}`;
  await waitFor(`${baselineUrl}/`, (s) => s > 0);
  await wrk({ ...load, origin: baselineUrl, seconds: b.flags.warmup });

  // Turns put both sides under the same drift of this shared machine.
  const rounds = [];
  for (let round = 1; round <= b.flags.rounds; round++) {
    const before = cpuMs(b.servicePid);
    const service = await wrk({ ...load, origin: b.serviceUrl, seconds: b.flags.duration });
    const serviceCpu = (cpuMs(b.servicePid) - before) / service.requests;
    const baselineBefore = cpuMs(/** @type {number} */ (baseline.pid));
    const base = await wrk({ ...load, origin: baselineUrl, seconds: b.flags.duration });
    const baseCpu = (cpuMs(/** @type {number} */ (baseline.pid)) - baselineBefore) / base.requests;
    const ratio = service.rps / base.rps;
    rounds.push({ service, base, serviceCpu, baseCpu, ratio });
    log(`POST /v1/consent-flows round ${round}: service ${service.rps.toFixed(0)} req/s (p50 ${service.p50} ms, p99 ${service.p99} ms, CPU ${serviceCpu.toFixed(3)} ms/req), baseline ${base.rps.toFixed(0)} req/s (p50 ${base.p50} ms, p99 ${base.p99} ms, CPU ${baseCpu.toFixed(3)} ms/req): ${ratio.toFixed(2)}×`);
  }
  retire(baseline);
  const ratio = median(rounds.map((r) => r.ratio));
  const m = /** @type {(typeof rounds)[number]} */ (rounds.find((r) => r.ratio === ratio));
  const errs = (/** @type {import('../lib/wrk').WrkResult} */ w) => `${w.non2xx} answers ≥ 400, ${w.errors} socket errors, ${w.timeouts} timeouts`;
  b.rows.push(
    ['POST /v1/consent-flows (JWT verified), req/s', m.service.rps.toFixed(0), `p50 ${m.service.p50} ms, p99 ${m.service.p99} ms, CPU ${m.serviceCpu.toFixed(3)} ms/request; ${errs(m.service)}`, '', ''],
    ['Raw baseline node:http + ioredis MULTI (2 SET), req/s', m.base.rps.toFixed(0), `p50 ${m.base.p50} ms, p99 ${m.base.p99} ms, CPU ${m.baseCpu.toFixed(3)} ms/request; values ${recordBytes} B + ${secretsBytes} B; ${errs(m.base)}`, '', ''],
    ['Consent start ÷ raw baseline throughput (median round)', `${ratio.toFixed(2)}×`, `rounds: ${rounds.map((r) => `${r.ratio.toFixed(2)}× (${r.service.rps.toFixed(0)} / ${r.base.rps.toFixed(0)})`).join(', ')}`, `≥ ${THROUGHPUT_TARGET}×`, ratio >= THROUGHPUT_TARGET ? 'PASS' : 'MISS'],
  );
}

module.exports = { measureFlowStart };
