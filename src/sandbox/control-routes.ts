import type { FastifyInstance, FastifyReply } from 'fastify';
import { FaultInjectionError, type FaultInjector, type FaultSpec } from './fault-injector';

/** What the shared /_sandbox/ routes drive: the simulator's own methods, so its side effects (a feed sweep on advance) still happen. */
export interface SandboxControl {
  readonly faults: FaultInjector;
  getCalls(endpoint?: string): unknown[];
  clearCalls(): void;
  now(): number;
  advanceClock(ms: number): number;
  reset(): void;
}

export interface ControlRouteOptions {
  /**
   * `full` (default): GET /_sandbox/clock, and advancing answers `{now, iso}`. `advance`: no GET, and
   * advancing answers `{now}` only (Maskinporten's and Skatteetaten's simulators answered so from the start).
   */
  clock?: 'full' | 'advance';
}

/** The route options of a control route: the call log and faults skip the `control` endpoint. */
export const CONTROL_ROUTE = { config: { endpoint: 'control' } } as const;

/** A refused control request (a bad fault, a clock step) answers 400 with the reason; anything else is a bug and throws. */
export function badControlRequest(reply: FastifyReply, err: unknown): FastifyReply {
  if (err instanceof RangeError || err instanceof FaultInjectionError) return reply.code(400).send({ error: err.message });
  throw err;
}

/**
 * The /_sandbox/ routes every simulator has, for tests and benchmarks in another process: faults
 * (GET, POST, DELETE), the call log (GET with `?endpoint=`, DELETE), the clock (GET, POST
 * `/advance` with `{ms}` or `{seconds}`) and reset. A simulator adds its own control routes beside these.
 */
export function registerSandboxControlRoutes(app: FastifyInstance, sandbox: SandboxControl, opts: ControlRouteOptions = {}): void {
  app.get('/_sandbox/faults', CONTROL_ROUTE, async () => sandbox.faults.list());
  app.post('/_sandbox/faults', CONTROL_ROUTE, async (req, reply) => {
    try {
      return reply.code(201).send(sandbox.faults.add((req.body ?? {}) as FaultSpec));
    } catch (err) {
      return badControlRequest(reply, err);
    }
  });
  app.delete('/_sandbox/faults', CONTROL_ROUTE, async (_req, reply) => {
    sandbox.faults.clear();
    return reply.code(204).send();
  });

  app.get('/_sandbox/calls', CONTROL_ROUTE, async (req) => {
    const endpoint = (req.query as Record<string, unknown>).endpoint;
    return sandbox.getCalls(typeof endpoint === 'string' ? endpoint : undefined);
  });
  app.delete('/_sandbox/calls', CONTROL_ROUTE, async (_req, reply) => {
    sandbox.clearCalls();
    return reply.code(204).send();
  });

  const full = (opts.clock ?? 'full') === 'full';
  const time = (now: number) => (full ? { now, iso: new Date(now).toISOString() } : { now });
  if (full) app.get('/_sandbox/clock', CONTROL_ROUTE, async () => time(sandbox.now()));
  app.post('/_sandbox/clock/advance', CONTROL_ROUTE, async (req, reply) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const ms = typeof b.ms === 'number' ? b.ms : typeof b.seconds === 'number' ? b.seconds * 1000 : NaN;
    try {
      return time(sandbox.advanceClock(ms));
    } catch (err) {
      return badControlRequest(reply, err);
    }
  });

  app.post('/_sandbox/reset', CONTROL_ROUTE, async (_req, reply) => {
    sandbox.reset();
    return reply.code(204).send();
  });
}
