import { SimulatorState, type SimulatorStateOptions } from './simulator-state';

class Sim extends SimulatorState<{ endpoint: string }> {
  constructor(opts: Partial<SimulatorStateOptions> = {}) {
    super({ faultEndpoints: ['a', 'b'], callLimit: 10, now: () => 0, ...opts });
  }

  reset(keepClock = false): void {
    this.resetRecords({ keepClock });
  }
}

describe('SimulatorState', () => {
  it('lists no calls for an empty endpoint unless the simulator always listed all for it', () => {
    for (const [opts, expected] of [
      [{}, 0],
      [{ emptyEndpointMeansAll: true }, 2],
    ] as const) {
      const sim = new Sim(opts);
      sim.logCall({ endpoint: 'a' });
      sim.logCall({ endpoint: 'b' });
      expect(sim.getCalls('')).toHaveLength(expected);
      expect(sim.getCalls('a')).toEqual([{ endpoint: 'a' }]);
    }
  });

  it('forgets calls and faults on reset, and the clock offset unless kept', () => {
    const sim = new Sim();
    sim.logCall({ endpoint: 'a' });
    sim.injectFault({ endpoint: 'a', kind: 'status' });
    sim.advanceClock(5);
    sim.reset(true);
    expect([sim.getCalls(), sim.faults.list(), sim.now()]).toEqual([[], [], 5]);
    sim.reset();
    expect(sim.now()).toBe(0);
  });
});
