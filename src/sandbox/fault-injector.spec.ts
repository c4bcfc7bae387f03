import { FaultInjectionError, FaultInjector } from './fault-injector';

const ENDPOINTS = ['token', 'discovery', 'debt', 'feed'];
const WILDCARD = ['token', 'debt', 'feed'];

describe('FaultInjector', () => {
  it('applies a fault to the next N matching calls only', () => {
    const f = new FaultInjector(ENDPOINTS, WILDCARD);
    f.add({ endpoint: 'debt', kind: 'status', status: 503, times: 2 });
    expect(f.take('token')).toBeUndefined();
    expect(f.take('debt')).toMatchObject({ kind: 'status', status: 503 });
    expect(f.take('debt')).toMatchObject({ kind: 'status' });
    expect(f.take('debt')).toBeUndefined();
  });

  it('keeps a fault without times until cleared', () => {
    const f = new FaultInjector(ENDPOINTS, WILDCARD);
    f.add({ endpoint: '*', kind: 'latency', latencyMs: 10 });
    for (let i = 0; i < 5; i++) expect(f.take('feed')).toMatchObject({ kind: 'latency', latencyMs: 10 });
    // The wildcard covers the endpoints it was given, not discovery.
    expect(f.take('discovery')).toBeUndefined();
    f.clear();
    expect(f.take('feed')).toBeUndefined();
  });

  it('applies faults in the order they were added', () => {
    const f = new FaultInjector(ENDPOINTS, WILDCARD);
    f.add({ endpoint: 'token', kind: 'reset', times: 1 });
    f.add({ endpoint: 'token', kind: 'timeout', times: 1 });
    expect(f.take('token')!.kind).toBe('reset');
    expect(f.take('token')!.kind).toBe('timeout');
  });

  it('refuses unknown endpoints, kinds and bad numbers', () => {
    const f = new FaultInjector(ENDPOINTS, WILDCARD);
    expect(() => f.add({ endpoint: 'nope' as never, kind: 'status' })).toThrow(FaultInjectionError);
    expect(() => f.add({ endpoint: 'debt', kind: 'explode' as never })).toThrow(FaultInjectionError);
    expect(() => f.add({ endpoint: 'debt', kind: 'status', status: 200 })).toThrow(FaultInjectionError);
    expect(() => f.add({ endpoint: 'debt', kind: 'status', times: 0 })).toThrow(FaultInjectionError);
    expect(f.add({ endpoint: 'debt', kind: 'status' }).status).toBe(500);
  });
});
