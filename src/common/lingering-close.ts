import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/** How long a refused upload may keep its connection after the answer, if the client goes on sending. */
export const LINGER_MS = 5_000;

const LINGERING = Symbol('lingering');

/**
 * An answer given before the request body was read (a 413 as soon as Content-Length is over the
 * limit) carries `Connection: close`, and Node then closes the socket as soon as the answer is
 * written. A client still uploading gets a TCP reset, which makes its kernel drop the answer
 * waiting in its receive buffer: Node's fetch reports EPIPE or ECONNRESET and never sees the 413.
 * Such a connection closes gently instead (a lingering close, as Apache and nginx do): after the
 * answer, the rest of the upload is read and discarded until the client closes, which fetch does
 * once it holds the whole answer, or for at most LINGER_MS. Our FIN waits too: undici ends its
 * side on a FIN and its next body write then fails with EPIPE, answer unread.
 */
export function installLingeringClose(fastify: FastifyInstance): void {
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (!request.raw.complete && String(reply.getHeader('connection')).toLowerCase() === 'close') lingerOnClose(request.raw.socket);
    done(null, payload);
  });
}

function lingerOnClose(socket: Socket & { [LINGERING]?: true }): void {
  if (socket[LINGERING]) return;
  socket[LINGERING] = true;
  // Node's HTTP server calls destroySoon() once a `Connection: close` answer is written. The body
  // still arriving goes on through its parser into the request, which Node has set to discard it.
  socket.destroySoon = function lingeringClose(this: Socket) {
    const timer = setTimeout(() => this.destroy(), LINGER_MS);
    timer.unref();
    this.once('close', () => clearTimeout(timer));
    this.once('end', () => this.destroy());
    this.resume();
  };
}
