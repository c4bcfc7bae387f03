import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config';
import { AltinnEventsService } from './altinn-events.service';

const FIRST_RUN_DELAY_MS = 1000;
const SHUTDOWN_WAIT_MS = 10_000;

/**
 * Runs the Altinn events sync every ALTINN_EVENTS_POLL_INTERVAL_SECONDS (0 = off) when Altinn is
 * enabled; as NoGi's feed poller, a run is scheduled only after the previous one ended, and only
 * the replica holding the PostgreSQL lock reads the feed.
 */
@Injectable()
export class AltinnEventsPoller implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(AltinnEventsPoller.name);
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly config: AppConfig,
    private readonly service: AltinnEventsService,
  ) {}

  private get intervalSeconds(): number {
    return this.config.providers.includes('altinn') ? (this.config.altinn?.eventsPollIntervalSeconds ?? 0) : 0;
  }

  onApplicationBootstrap(): void {
    if (!this.config.providers.includes('altinn')) return;
    if (this.intervalSeconds <= 0) {
      this.logger.log('Altinn events polling is off (ALTINN_EVENTS_POLL_INTERVAL_SECONDS=0)');
      return;
    }
    this.schedule(Math.min(FIRST_RUN_DELAY_MS, this.intervalSeconds * 1000));
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
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    try {
      await this.service.syncOnce();
    } finally {
      this.schedule(this.intervalSeconds * 1000);
    }
  }
}
