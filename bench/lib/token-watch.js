// @ts-check
'use strict';
/**
 * Counts the token requests a simulator receives from the service, per grant, for the whole
 * bench, with the time of each. A simulator keeps its last 10 000 calls, so the watch reads its
 * token calls every second without clearing the log (clearing would race with calls arriving
 * between the read and the clear) and takes only what is new: the previous read's tail is the
 * head of the next one, less what the log has since dropped.
 */
const { sleep } = require('./procs');

/** @typedef {{ time: string } & Record<string, any>} TokenCall */

class TokenWatch {
  /**
   * @param {string} callsUrl the simulator's `/_sandbox/calls?endpoint=…` of its token endpoint
   * @param {(call: TokenCall) => string | null} grantOf the grant a call asked a token for; null: not a token issued
   */
  constructor(callsUrl, grantOf) {
    this.url = callsUrl;
    this.grantOf = grantOf;
    /** @type {string[]} the previous read, each call as JSON */
    this.seen = [];
    /** @type {Map<string, number[]>} grant → when each token was asked for (ms) */
    this.requests = new Map();
    /** @type {Array<[string, number]>} the bench's own requests (for its floors, grant and time), not the service's */
    this.own = [];
    this.startedAt = Date.now();
    this.running = false;
    /** @type {Promise<void> | undefined} */
    this.loop = undefined;
  }

  async start() {
    this.seen = await this.read();
    this.startedAt = Date.now();
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        await sleep(1000);
        if (this.running) await this.poll();
      }
    })();
  }

  /** The bench asked for a token of this grant itself, about now: that request is not counted. @param {string} grant */
  ownRequest(grant) {
    this.own.push([grant, Date.now()]);
  }

  /** Stops and takes a last reading: each grant's request times (the bench's own left out), and the seconds watched. */
  async stop() {
    this.running = false;
    await this.loop;
    await this.poll();
    for (const [grant, at] of this.own) {
      const times = this.requests.get(grant) ?? [];
      const nearest = times.reduce((best, t, i) => (Math.abs(t - at) < Math.abs(times[best] - at) ? i : best), 0);
      times.splice(nearest, 1);
      if (times.length === 0) this.requests.delete(grant);
    }
    return { requests: this.requests, seconds: (Date.now() - this.startedAt) / 1000 };
  }

  /** The calls as JSON of their fields that never change once logged (a status is added later). */
  async read() {
    const calls = /** @type {TokenCall[]} */ (await (await fetch(this.url)).json());
    return calls.map((c) => JSON.stringify({ time: c.time, body: c.body, assertion: c.assertion }));
  }

  async poll() {
    const now = await this.read();
    // The smallest drop d for which the previous read's calls from d on begin the new read.
    let drop = 0;
    while (drop < this.seen.length && !this.seen.slice(drop).every((c, i) => now[i] === c)) drop += 1;
    for (const json of now.slice(this.seen.length - drop)) {
      const call = /** @type {TokenCall} */ (JSON.parse(json));
      const grant = this.grantOf(call);
      if (grant === null) continue;
      const times = this.requests.get(grant) ?? [];
      times.push(Date.parse(call.time));
      this.requests.set(grant, times);
    }
    this.seen = now;
  }
}

/**
 * The report's rows for one upstream: its grants grouped by kind, each kind PASS when no grant's
 * token was asked for again while the one before had more than a fifth of its life left (the
 * service stops using a token a little before it expires).
 * @param {string} upstream @param {Map<string, number[]>} requests @param {number} seconds @param {number} lifetimeS
 * @param {(grant: string) => string} kindOf
 * @returns {string[][]}
 */
function tokenRows(upstream, requests, seconds, lifetimeS, kindOf) {
  /** @type {Map<string, Array<[string, number[]]>>} */
  const kinds = new Map();
  for (const entry of requests) kinds.set(kindOf(entry[0]), [...(kinds.get(kindOf(entry[0])) ?? []), entry]);
  if (kinds.size === 0) return [[`${upstream} token requests from the service`, '0', `no part called ${upstream}`, '', '']];
  return [...kinds].map(([kind, grants]) => {
    const count = grants.reduce((n, [, times]) => n + times.length, 0);
    const most = Math.max(...grants.map(([, times]) => times.length));
    const gaps = grants.flatMap(([, times]) => times.slice(1).map((t, i) => (t - times[i]) / 1000));
    const shortest = gaps.length ? Math.min(...gaps) : null;
    const ok = shortest === null || shortest >= 0.8 * lifetimeS;
    const detail = `${grants.length} grant${grants.length === 1 ? '' : 's'} over ${seconds.toFixed(0)} s, tokens living ${lifetimeS} s; at most ${most} per grant${shortest === null ? '' : `, shortest time between two of one grant ${shortest.toFixed(0)} s`}`;
    return [`${upstream} token requests from the service, ${kind}`, String(count), detail, '1 per grant per lifetime', ok ? 'PASS' : 'MISS'];
  });
}

module.exports = { TokenWatch, tokenRows };
