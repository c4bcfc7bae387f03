/**
 * A simulator's clock: another clock (the real one, or a test's) plus an offset tests move forward
 * to reach expiry without waiting. `reset` goes back to the source clock.
 */
export class SandboxClock {
  private offsetMs = 0;

  /**
   * @param source the clock to follow (default Date.now)
   * @param mayGoBack whether `advance` takes negative steps too (default no)
   */
  constructor(
    private readonly source: () => number = Date.now,
    private readonly mayGoBack = false,
  ) {}

  now(): number {
    return this.source() + this.offsetMs;
  }

  /** Moves the clock by `ms` and answers the new time; a RangeError for a step it does not take. */
  advance(ms: number): number {
    if (!Number.isFinite(ms) || (!this.mayGoBack && ms < 0)) throw new RangeError(this.mayGoBack ? 'ms must be a number' : 'ms must be a non-negative number');
    this.offsetMs += ms;
    return this.now();
  }

  reset(): void {
    this.offsetMs = 0;
  }
}
