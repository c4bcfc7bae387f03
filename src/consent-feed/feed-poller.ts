import { BeforeApplicationShutdown, Logger, OnApplicationBootstrap } from '@nestjs/common';

/** The first run comes shortly after start, so a restarted replica catches up at once. */
const FIRST_RUN_DELAY_MS = 1000;
/** How long shutdown waits for the run in flight (it stops at its next step). */
const SHUTDOWN_WAIT_MS = 10_000;

/** A provider's sync: one run, and a stop that makes the run in flight end at its next step. */
export interface FeedSync {
  syncOnce(): Promise<unknown>;
  stop(): Promise<unknown>;
}

/**
 * Runs a provider's feed sync (NoGi's consent feed, Altinn's consent events) every interval. The
 * next run is scheduled only when the previous one has ended, so runs never overlap; shutdown stops
 * the timer and lets the run in flight end before the database connections close. Across replicas
 * the sync itself holds a PostgreSQL advisory lock (advisory-lock.ts), so one replica reads at a time.
 */
export abstract class FeedPoller implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  protected constructor(
    protected readonly logger: Logger,
    private readonly sync: FeedSync,
  ) {}

  /** Why this feed is not polled (its provider is off, or its interval is 0), or undefined when it is. */
  protected abstract offReason(): string | undefined;

  protected abstract intervalSeconds(): number;

  onApplicationBootstrap(): void {
    const off = this.offReason();
    if (off) {
      this.logger.log(off);
      return;
    }
    this.schedule(Math.min(FIRST_RUN_DELAY_MS, this.intervalSeconds() * 1000));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([this.sync.stop(), new Promise((resolve) => (timeout = setTimeout(resolve, SHUTDOWN_WAIT_MS)))]);
    clearTimeout(timeout);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), delayMs);
    // The HTTP server keeps the process alive; a pending poll must not.
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    try {
      await this.sync.syncOnce();
    } finally {
      this.schedule(this.intervalSeconds() * 1000);
    }
  }
}
