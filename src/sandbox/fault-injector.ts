export type FaultKind = 'latency' | 'status' | 'timeout' | 'reset';

export interface FaultSpec {
  /** One of the simulator's endpoint names, or `*` for all its API calls. */
  endpoint: string;
  kind: FaultKind;
  /** For kind `status`: the HTTP status to answer with (default 500). */
  status?: number;
  /** For kind `status`: the upstream's own error code and text, where its error body has them (e.g. NoGi's `invalid consent`, Skatteetaten's `SSG-010`). */
  error?: string;
  errorDescription?: string;
  /** For kind `latency`: delay before the normal answer (default 1000). */
  latencyMs?: number;
  /** Apply to the next N matching calls; omitted = until cleared. */
  times?: number;
}

export interface ActiveFault extends FaultSpec {
  id: string;
  remaining?: number;
}

export class FaultInjectionError extends Error {}

/**
 * The faults a simulator injects into its own answers (latency, a status, a timeout that never
 * answers, a connection reset), per endpoint name, for the next N calls or until cleared. Every
 * simulator has one; `applyFault` (fault-hook.ts) acts on what `take` returns.
 */
export class FaultInjector {
  private faults: ActiveFault[] = [];
  private seq = 0;

  /**
   * @param endpoints the simulator's endpoint names a fault may name
   * @param wildcard what `*` covers (default: every endpoint); key sets and metadata are usually left to named faults
   */
  constructor(
    private readonly endpoints: readonly string[],
    private readonly wildcard: readonly string[] = endpoints,
  ) {}

  add(spec: FaultSpec): ActiveFault {
    if (!(spec.endpoint === '*' || this.endpoints.includes(spec.endpoint))) throw new FaultInjectionError(`unknown endpoint ${String(spec.endpoint)}`);
    if (!['latency', 'status', 'timeout', 'reset'].includes(spec.kind)) throw new FaultInjectionError(`unknown kind ${String(spec.kind)}`);
    if (spec.kind === 'status' && spec.status !== undefined && !(Number.isInteger(spec.status) && spec.status >= 400 && spec.status <= 599)) {
      throw new FaultInjectionError('status must be an integer 400-599');
    }
    if (spec.latencyMs !== undefined && !(Number.isFinite(spec.latencyMs) && spec.latencyMs >= 0)) throw new FaultInjectionError('latencyMs must be >= 0');
    if (spec.times !== undefined && !(Number.isInteger(spec.times) && spec.times >= 1)) throw new FaultInjectionError('times must be an integer >= 1');
    const fault: ActiveFault = {
      id: `fault-${++this.seq}`,
      endpoint: spec.endpoint,
      kind: spec.kind,
      ...(spec.kind === 'status' ? { status: spec.status ?? 500 } : {}),
      ...(spec.kind === 'status' && spec.error !== undefined ? { error: String(spec.error).slice(0, 200) } : {}),
      ...(spec.kind === 'status' && spec.errorDescription !== undefined ? { errorDescription: String(spec.errorDescription).slice(0, 200) } : {}),
      ...(spec.kind === 'latency' ? { latencyMs: spec.latencyMs ?? 1000 } : {}),
      ...(spec.times !== undefined ? { times: spec.times, remaining: spec.times } : {}),
    };
    this.faults.push(fault);
    return fault;
  }

  /** The first fault (in insertion order) matching this call; consumes one of its `times`. */
  take(endpoint: string): ActiveFault | undefined {
    const fault = this.faults.find((f) => f.endpoint === endpoint || (f.endpoint === '*' && this.wildcard.includes(endpoint)));
    if (!fault) return undefined;
    if (fault.remaining !== undefined) {
      fault.remaining -= 1;
      if (fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
    }
    return { ...fault };
  }

  list(): ActiveFault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  clear(): void {
    this.faults = [];
  }
}
