import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { ConsentFeedService } from './consent-feed.service';

/** The first run comes shortly after start, so a restarted replica catches up at once. */
const FIRST_RUN_DELAY_MS = 1000;
/** How long shutdown waits for the run in flight (it stops at its next step). */
const SHUTDOWN_WAIT_MS = 10_000;

/**
 * Runs the feed sync every FEED_POLL_INTERVAL_SECONDS (0 = off). The next run is scheduled only
 * when the previous one has ended, so runs never overlap; shutdown stops the timer and lets the
 * run in flight end before the database connections close.
 */
@Injectable()
export class ConsentFeedPoller implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ConsentFeedPoller.name);
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly config: AppConfig,
    private readonly service: ConsentFeedService,
  ) {}

  onApplicationBootstrap(): void {
    const intervalSeconds = this.config.feedPollIntervalSeconds;
    if (!this.config.providers.includes('nogi')) {
      this.logger.log('NoGi is not enabled (PROVIDERS): its consent feed is not polled');
      return;
    }
    if (intervalSeconds <= 0) {
      this.logger.log('Consent feed polling is off (FEED_POLL_INTERVAL_SECONDS=0)');
      return;
    }
    this.schedule(Math.min(FIRST_RUN_DELAY_MS, intervalSeconds * 1000));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([this.service.stop(), new Promise((resolve) => (timeout = setTimeout(resolve, SHUTDOWN_WAIT_MS)))]);
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
      await this.service.syncOnce();
    } finally {
      this.schedule(this.config.feedPollIntervalSeconds * 1000);
    }
  }
}
