// @ts-check
'use strict';
/**
 * Counts the client-credentials token requests the NoGi simulator receives, per grant (audience),
 * for the whole bench. The simulator keeps its last 10 000 calls, so the watch reads its token
 * calls every second without clearing the log (clearing would race with calls arriving between
 * the read and the clear) and takes only what is new: the previous read's tail is the head of
 * the next one, less what the log has since dropped.
 */
const { sleep } = require('./procs');

/** @typedef {{ time: string, body?: { grant_type?: string, audience?: string } }} TokenCall */

class TokenWatch {
  /** @param {string} nogiUrl */
  constructor(nogiUrl) {
    this.url = `${nogiUrl}/_sandbox/calls?endpoint=token`;
    /** @type {string[]} the previous read, each call as JSON */
    this.seen = [];
    /** @type {Map<string, number>} grant → token requests */
    this.counts = new Map();
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

  /** Stops and takes a last reading; the counts per grant. */
  async stop() {
    this.running = false;
    await this.loop;
    await this.poll();
    return { counts: this.counts, seconds: (Date.now() - this.startedAt) / 1000 };
  }

  async read() {
    const calls = /** @type {TokenCall[]} */ (await (await fetch(this.url)).json());
    return calls.filter((c) => c.body?.grant_type === 'client_credentials').map((c) => JSON.stringify(c));
  }

  async poll() {
    const now = await this.read();
    // The smallest drop d for which the previous read's calls from d on begin the new read.
    let drop = 0;
    while (drop < this.seen.length && !this.seen.slice(drop).every((c, i) => now[i] === c)) drop += 1;
    for (const call of now.slice(this.seen.length - drop)) {
      const grant = `client_credentials ${JSON.parse(call).body?.audience ?? '(no audience)'}`;
      this.counts.set(grant, (this.counts.get(grant) ?? 0) + 1);
    }
    this.seen = now;
  }
}

module.exports = { TokenWatch };
