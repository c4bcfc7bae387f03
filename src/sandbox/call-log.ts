import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ActiveFault } from './fault-injector';

/** What every simulator's call-log entry has: the route's endpoint name, the answer's status, the fault it met. */
export interface LoggedCall {
  endpoint: string;
  status?: number;
  fault?: ActiveFault;
}

/**
 * A simulator's log of the calls it received, newest last, capped so a long benchmark cannot grow
 * it without bound. Entries are described by each simulator without secrets; readers get copies,
 * so a test cannot change what a later reader sees.
 */
export class CallLog<T extends LoggedCall> {
  private entries: T[] = [];

  constructor(private readonly limit: number) {}

  add(entry: T): void {
    this.entries.push(entry);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
  }

  /** Copies of the calls, all or only those of one endpoint. */
  list(endpoint?: string): T[] {
    return this.entries.filter((c) => endpoint === undefined || c.endpoint === endpoint).map((c) => structuredClone(c));
  }

  clear(): void {
    this.entries = [];
  }
}

/** The endpoint name a route declares in `config: { endpoint }`; undefined for unknown URLs. */
export function endpointOf<E extends string = string>(req: FastifyRequest): E | undefined {
  return (req.routeOptions.config as { endpoint?: E } | undefined)?.endpoint;
}

export interface CallTracking<T extends LoggedCall> {
  /** When the entry is written: `onRequest` logs even calls Fastify refuses before the handler; `preHandler` has the parsed body. */
  phase?: 'onRequest' | 'preHandler';
  /** The entry for a call to `endpoint` (never `control`), without secrets. */
  describe(req: FastifyRequest, endpoint: T['endpoint']): T;
  /** Where entries go, e.g. the simulator's `logCall`. */
  log(entry: T): void;
}

/**
 * Logs every call to a named endpoint except the /_sandbox/ control routes, and notes the answer's
 * status when it is sent. Returns each request's entry (in `entries` when given), where hooks and
 * handlers note more (the body, a fault, why a call was refused).
 */
export function trackCalls<T extends LoggedCall>(
  app: FastifyInstance,
  tracking: CallTracking<T>,
  entries = new WeakMap<FastifyRequest, T>(),
): WeakMap<FastifyRequest, T> {
  app.addHook(tracking.phase ?? 'onRequest', async (req: FastifyRequest) => {
    const endpoint = endpointOf<T['endpoint']>(req);
    if (!endpoint || endpoint === 'control') return;
    const entry = tracking.describe(req, endpoint);
    entries.set(req, entry);
    tracking.log(entry);
  });
  app.addHook('onResponse', async (req, reply) => {
    const entry = entries.get(req);
    if (entry) entry.status = reply.statusCode;
  });
  return entries;
}

/** The start of most entries (see requestBasics). */
export interface RequestBasics<E extends string = string> extends LoggedCall {
  /** ISO time on the simulator's clock. */
  time: string;
  method: string;
  /** The path without its query. */
  path: string;
  query: Record<string, unknown>;
  endpoint: E;
}

/** The start of most entries: the time on the simulator's clock, the method, the path without its query, the query, the endpoint. */
export function requestBasics<E extends string>(req: FastifyRequest, endpoint: E, nowMs: number): RequestBasics<E> {
  return { time: new Date(nowMs).toISOString(), method: req.method, path: req.url.split('?')[0], query: { ...(req.query as Record<string, unknown>) }, endpoint };
}
