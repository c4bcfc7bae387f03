import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { LoggedCall } from './call-log';
import type { ActiveFault, FaultInjector } from './fault-injector';

/** Answers a `status` fault in the upstream's own error shape. */
export type FaultStatusAnswer = (req: FastifyRequest, reply: FastifyReply, fault: ActiveFault) => unknown;

/** The calls `FaultHook.onTrackedCalls` gives faults to: those `trackCalls` logged. */
export interface TrackedCallFaults<T extends LoggedCall> {
  entries: WeakMap<FastifyRequest, T>;
  injector: FaultInjector;
  /** Answers a `status` fault in the upstream's own error shape for this call. */
  statusAnswer(req: FastifyRequest, reply: FastifyReply, fault: ActiveFault, entry: T): unknown;
  /** Adds to the entry before a fault is taken, e.g. the body without secrets. */
  note?(req: FastifyRequest, entry: T): void;
}

/**
 * Where a simulator acts on an injected fault: `latency` delays the normal answer, `timeout`
 * accepts the request and never answers, `reset` destroys the connection, `status` answers with
 * the upstream's own error body. One per simulator app; `close` releases the sockets of
 * `timeout` faults when the server closes.
 */
export class FaultHook {
  private readonly hanging = new Set<Socket>();

  constructor(private readonly app: FastifyInstance) {
    app.addHook('onClose', async () => {
      for (const socket of this.hanging) socket.destroy();
      this.hanging.clear();
    });
  }

  /** Before each tracked call's handler: note, then take the next matching fault, note it on the entry and act on it. */
  onTrackedCalls<T extends LoggedCall>(calls: TrackedCallFaults<T>): void {
    this.app.addHook('preHandler', async (req, reply) => {
      const entry = calls.entries.get(req);
      if (!entry) return;
      calls.note?.(req, entry);
      const fault = calls.injector.take(entry.endpoint);
      if (!fault) return;
      entry.fault = fault;
      return this.apply(req, reply, fault, (r, rep, f) => calls.statusAnswer(r, rep, f, entry));
    });
  }

  /** Returns the reply when the fault answered (or will never answer); undefined when the handler goes on. */
  async apply(req: FastifyRequest, reply: FastifyReply, fault: ActiveFault, statusAnswer: FaultStatusAnswer): Promise<FastifyReply | undefined> {
    switch (fault.kind) {
      case 'latency':
        // Unref'd: the open server keeps its process alive; a wait still running when the
        // simulator closes must not hold the process (a test worker, the sandbox) open after it.
        await new Promise((resolve) => setTimeout(resolve, fault.latencyMs ?? 0).unref());
        return undefined;
      case 'timeout': {
        // Accept and never answer; the socket is released when the client gives up or the server closes.
        const socket = req.raw.socket;
        this.hanging.add(socket);
        socket.once('close', () => this.hanging.delete(socket));
        reply.hijack();
        return reply;
      }
      case 'reset':
        req.raw.socket.destroy();
        reply.hijack();
        return reply;
      case 'status':
        await statusAnswer(req, reply, fault);
        return reply;
    }
  }
}
