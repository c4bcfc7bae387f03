// @ts-check
'use strict';
/**
 * Resident memory over a soak of mixed requests: the service's peak RSS (sampled every 250 ms)
 * during a warm run of a tenth of the soak, against its peak during the last tenth of the soak.
 * Peaks, because V8 lets the heap grow between major collections: single samples land anywhere
 * on that saw-tooth.
 */
const { cpuMs, json, log, mallocEnv, rssMiB } = require('../lib/procs');
const { wrk } = require('../lib/wrk');

const GROWTH_TARGET = 0.2;
const PEAK_TARGET_MIB = 200;

/** @param {import('../run').Bench} b */
async function measureSoak(b) {
  const pid = b.servicePid;
  const flow = await json(`${b.serviceUrl}/v1/consent-flows`, { method: 'POST', headers: b.auth, body: b.flowBody });
  const consent = await b.registerConsent();
  const requests = [
    { method: 'POST', path: '/v1/consent-flows', headers: b.auth, body: b.flowBody },
    { method: 'GET', path: `/v1/consent-flows/${flow.id}`, headers: b.auth },
    { method: 'GET', path: `/v1/consents/${consent.id}`, headers: b.auth },
    { method: 'GET', path: '/v1/consents?limit=20', headers: { ...b.auth, 'x-national-id': b.syntheticPerson } },
    { method: 'GET', path: `/v1/consents/${consent.id}/debt`, headers: b.auth },
  ];
  const soak = b.flags.soak;
  const warm = Math.round(soak / 10);
  const load = (/** @type {number} */ amount) => wrk({ bin: b.wrkBin, origin: b.serviceUrl, requests, connections: b.flags.connections, threads: b.flags.threads, amount, timeoutS: 30 });

  /** @type {{ at: number, rss: number }[]} */
  const samples = [];
  const sampler = setInterval(() => samples.push({ at: Date.now(), rss: rssMiB(pid) }), 250);
  const peak = (/** @type {{ rss: number }[]} */ window) => (window.length > 0 ? Math.max(...window.map((x) => x.rss)) : rssMiB(pid));
  log(`soak: a warm run of ${warm} requests, then ${soak} (start flow, read flow, read consent, list consents, debt by consent) at ${b.flags.connections} connections`);
  await load(warm);
  const reference = peak(samples);
  samples.length = 0;
  const started = Date.now();
  const cpuBefore = cpuMs(pid);
  const run = await load(soak);
  const cpuPerRequest = (cpuMs(pid) - cpuBefore) / run.requests;
  clearInterval(sampler);
  const ended = Date.now();
  const end = peak(samples.filter((x) => x.at >= ended - (ended - started) / 10));
  const overall = Math.max(reference, peak(samples));
  const growth = end / reference - 1;
  log(`soak: ${run.requests} requests in ${run.seconds.toFixed(0)} s, CPU ${cpuPerRequest.toFixed(3)} ms/request; peak RSS ${reference.toFixed(1)} MiB warm, ${end.toFixed(1)} MiB in the last tenth, ${overall.toFixed(1)} MiB overall`);
  b.rows.push(
    [`Service RSS: peak during the warm run (${warm} requests)`, `${reference.toFixed(1)} MiB`, '', '', ''],
    [`Service RSS: peak in the last tenth of ${soak} more`, `${end.toFixed(1)} MiB`, `${run.requests} requests in ${run.seconds.toFixed(0)} s, ${run.rps.toFixed(0)} req/s, CPU ${cpuPerRequest.toFixed(3)} ms/request; ${run.non2xx} answers ≥ 400, ${run.errors} socket errors, ${run.timeouts} timeouts`, '', ''],
    ['RSS growth over the soak', `${(growth * 100).toFixed(1)} %`, '', `≤ ${GROWTH_TARGET * 100} %`, growth <= GROWTH_TARGET ? 'PASS' : 'MISS'],
    ['Peak RSS during the soak', `${overall.toFixed(1)} MiB`, `service Node options: ${[...b.nodeArgs, b.nodeOptions].join(' ').trim() || '(none)'}${mallocEnv(b.runtimeEnv) ? `, ${mallocEnv(b.runtimeEnv)}` : ''}`, `≤ ${PEAK_TARGET_MIB} MiB`, overall <= PEAK_TARGET_MIB ? 'PASS' : 'MISS'],
  );
}

module.exports = { measureSoak };
