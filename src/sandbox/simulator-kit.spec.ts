import type { FastifyInstance } from 'fastify';
import { CallLog, type RequestBasics, requestBasics, trackCalls } from './call-log';
import { registerSandboxControlRoutes } from './control-routes';
import { FaultHook } from './fault-hook';
import { FaultInjector } from './fault-injector';
import { SandboxClock } from './sandbox-clock';
import { type StartedSimulator, startSimulatorServer } from './simulator-server';

type Call = RequestBasics<'hello'>;

/** The smallest simulator the kit makes: one endpoint, its call log, faults, clock and control routes. */
class TinySimulator {
  readonly faults = new FaultInjector(['hello']);
  private readonly calls = new CallLog<Call>(10);
  private readonly clock = new SandboxClock(() => 1_000_000);
  now = () => this.clock.now();
  advanceClock = (ms: number) => this.clock.advance(ms);
  logCall = (call: Call) => this.calls.add(call);
  getCalls = (endpoint?: string) => this.calls.list(endpoint);
  clearCalls = () => this.calls.clear();
  reset = () => {
    this.calls.clear();
    this.faults.clear();
    this.clock.reset();
  };
}

function register(app: FastifyInstance, sim: TinySimulator): void {
  const entries = trackCalls<Call>(app, { log: sim.logCall, describe: (req, endpoint) => requestBasics(req, endpoint as 'hello', sim.now()) });
  new FaultHook(app).onTrackedCalls({ entries, injector: sim.faults, statusAnswer: (_req, reply, fault) => reply.code(fault.status ?? 500).send({ oops: true }) });
  app.get('/hello', { config: { endpoint: 'hello' } }, async () => ({ hello: 'world' }));
  registerSandboxControlRoutes(app, sim);
}

describe('the simulator kit over HTTP', () => {
  let started: StartedSimulator<TinySimulator>;
  const call = async (method: string, path: string, json?: unknown) => {
    const res = await fetch(`${started.url}${path}`, { method, ...(json === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(json) }) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };

  beforeAll(async () => {
    const sandbox = new TinySimulator();
    const server = await startSimulatorServer((app) => app.register(async (scope) => register(scope, sandbox)));
    started = { ...server, sandbox };
  });
  afterAll(() => started.close());
  beforeEach(() => started.sandbox.reset());

  it('listens on 127.0.0.1 on an ephemeral port', () => {
    expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('logs API calls with their status, never control calls, and filters by endpoint', async () => {
    await call('GET', '/hello?x=1');
    const { body } = await call('GET', '/_sandbox/calls?endpoint=hello');
    expect(body).toEqual([{ time: new Date(1_000_000).toISOString(), method: 'GET', path: '/hello', query: { x: '1' }, endpoint: 'hello', status: 200 }]);
    expect((await call('GET', '/_sandbox/calls?endpoint=other')).body).toEqual([]);
    expect(started.sandbox.getCalls()).toHaveLength(1);
    expect((await call('DELETE', '/_sandbox/calls')).status).toBe(204);
    expect(started.sandbox.getCalls()).toEqual([]);
  });

  it('answers an injected status fault once, notes it on the call, and refuses a bad fault with 400', async () => {
    expect((await call('POST', '/_sandbox/faults', { endpoint: 'hello', kind: 'status', status: 503, times: 1 })).status).toBe(201);
    expect(await call('GET', '/hello')).toEqual({ status: 503, body: { oops: true } });
    expect((await call('GET', '/hello')).status).toBe(200);
    expect(started.sandbox.getCalls('hello').map((c) => [c.status, c.fault?.status])).toEqual([
      [503, 503],
      [200, undefined],
    ]);
    expect(await call('POST', '/_sandbox/faults', { endpoint: 'nope', kind: 'status' })).toEqual({ status: 400, body: { error: 'unknown endpoint nope' } });
  });

  it('moves the clock by ms or seconds, refuses a step back with 400, and reset puts it back', async () => {
    expect((await call('POST', '/_sandbox/clock/advance', { seconds: 2 })).body).toEqual({ now: 1_002_000, iso: new Date(1_002_000).toISOString() });
    expect((await call('POST', '/_sandbox/clock/advance', { ms: 500 })).body.now).toBe(1_002_500);
    expect((await call('GET', '/_sandbox/clock')).body.now).toBe(1_002_500);
    expect((await call('POST', '/_sandbox/clock/advance', { ms: -1 })).status).toBe(400);
    expect((await call('POST', '/_sandbox/reset')).status).toBe(204);
    expect((await call('GET', '/_sandbox/clock')).body.now).toBe(1_000_000);
  });
});
