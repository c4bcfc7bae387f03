import { CallLog, type LoggedCall } from './call-log';
import { type ActiveFault, FaultInjector, type FaultSpec } from './fault-injector';
import { SandboxClock } from './sandbox-clock';

export interface SimulatorStateOptions {
  /** The endpoint names a fault may name, and what `*` covers (default: all of them). */
  faultEndpoints: readonly string[];
  faultWildcard?: readonly string[];
  /** How many calls the log keeps. */
  callLimit: number;
  /** Whether `getCalls('')` (an empty `?endpoint=`) lists every call rather than none (Altinn 2's and the partner bank's simulators did so from the start). */
  emptyEndpointMeansAll?: boolean;
  /** The clock to follow (default Date.now), and whether tests may step it back. */
  now?: () => number;
  clockMayGoBack?: boolean;
}

/**
 * What every simulator's state has besides its upstream's own data: the injected faults, the call
 * log and a clock tests can move, with the methods tests and the routes call on a simulator.
 */
export abstract class SimulatorState<T extends LoggedCall> {
  readonly faults: FaultInjector;
  private readonly callLog: CallLog<T>;
  private readonly clock: SandboxClock;
  private readonly emptyEndpointMeansAll: boolean;

  protected constructor(opts: SimulatorStateOptions) {
    this.emptyEndpointMeansAll = opts.emptyEndpointMeansAll ?? false;
    this.faults = new FaultInjector(opts.faultEndpoints, opts.faultWildcard);
    this.callLog = new CallLog<T>(opts.callLimit);
    this.clock = new SandboxClock(opts.now, opts.clockMayGoBack);
  }

  now(): number {
    return this.clock.now();
  }

  /** Moves the clock by `ms` and answers the new time; a RangeError for a step it does not take. */
  advanceClock(ms: number): number {
    return this.clock.advance(ms);
  }

  injectFault(spec: FaultSpec): ActiveFault {
    return this.faults.add(spec);
  }

  logCall(entry: T): void {
    this.callLog.add(entry);
  }

  /** Copies of the calls, all or only those of one endpoint. */
  getCalls(endpoint?: string): T[] {
    return this.callLog.list(endpoint === '' && this.emptyEndpointMeansAll ? undefined : endpoint);
  }

  clearCalls(): void {
    this.callLog.clear();
  }

  /** Forgets calls and faults, and the clock's offset unless the simulator keeps its clock. */
  protected resetRecords(opts: { keepClock?: boolean } = {}): void {
    this.callLog.clear();
    this.faults.clear();
    if (!opts.keepClock) this.clock.reset();
  }
}
