// @ts-check
'use strict';
/**
 * An open-loop load generator for latency at a fixed rate: requests leave on a schedule (rate per
 * second), whatever the answers are doing, and each one's latency is measured from the moment it
 * was handed to the socket pool to the end of its body, in microseconds.
 *
 * Why not autocannon for this: with `overallRate` or `connectionRate` autocannon's latency is not
 * the request's (against a server that always waits 20 ms it reports p50 11 ms and a 1 ms
 * minimum), and its histogram has 1 ms resolution, too coarse for a 3 ms target.
 */
const { createHistogram, performance } = require('node:perf_hooks');
const { Pool } = require('undici');

/**
 * @param {{ urls: string[], headers?: Record<string, string>, rate: number, durationMs: number, connections: number }} options
 *   `urls` (one origin) are requested in turn.
 * @returns {Promise<{ sent: number, ok: number, non2xx: number, errors: number, rate: number, p50: number, p90: number, p99: number, max: number }>} latencies in ms
 */
async function openLoop({ urls, headers = {}, rate, durationMs, connections }) {
  const targets = urls.map((url) => new URL(url));
  if (targets.some((t) => t.origin !== targets[0].origin)) throw new Error('openLoop: one origin only');
  const pool = new Pool(targets[0].origin, { connections, pipelining: 1, keepAliveTimeout: 30_000 });
  const histogram = createHistogram();
  const paths = targets.map((t) => `${t.pathname}${t.search}`);
  let sent = 0;
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  /** @type {Set<Promise<void>>} */
  const inFlight = new Set();

  const fire = () => {
    const path = paths[sent % paths.length];
    sent += 1;
    const started = performance.now();
    const done = pool
      .request({ method: 'GET', path, headers })
      .then(async (res) => {
        await res.body.dump({ limit: Infinity });
        histogram.record(Math.max(1, Math.round((performance.now() - started) * 1000)));
        if (res.statusCode >= 200 && res.statusCode < 300) ok += 1;
        else non2xx += 1;
      })
      .catch(() => {
        errors += 1;
      })
      .finally(() => inFlight.delete(done));
    inFlight.add(done);
  };

  const begin = performance.now();
  await new Promise((resolve) => {
    const timer = setInterval(() => {
      const elapsed = performance.now() - begin;
      const due = Math.min(Math.floor((elapsed * rate) / 1000), Math.floor((durationMs * rate) / 1000));
      while (sent < due) fire();
      if (elapsed >= durationMs) {
        clearInterval(timer);
        resolve(undefined);
      }
    }, 1);
  });
  const measuredMs = performance.now() - begin;
  await Promise.all(inFlight);
  await pool.close();
  const ms = (/** @type {number} */ us) => Math.round(us / 10) / 100;
  return {
    sent,
    ok,
    non2xx,
    errors,
    rate: Math.round((sent / measuredMs) * 1000),
    p50: ms(histogram.percentile(50)),
    p90: ms(histogram.percentile(90)),
    p99: ms(histogram.percentile(99)),
    max: ms(histogram.max),
  };
}

module.exports = { openLoop };
