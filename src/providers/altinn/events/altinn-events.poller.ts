import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config';
import { FeedPoller } from '../../../consent-feed/feed-poller';
import { AltinnEventsService } from './altinn-events.service';

/** Altinn's consent events, every ALTINN_EVENTS_POLL_INTERVAL_SECONDS (0 = off), when Altinn is enabled. */
@Injectable()
export class AltinnEventsPoller extends FeedPoller {
  constructor(
    private readonly config: AppConfig,
    service: AltinnEventsService,
  ) {
    super(new Logger(AltinnEventsPoller.name), service);
  }

  protected offReason(): string | undefined {
    if (!this.config.providers.includes('altinn')) return 'Altinn is not enabled (PROVIDERS): its consent events are not polled';
    if (this.intervalSeconds() <= 0) return 'Altinn events polling is off (ALTINN_EVENTS_POLL_INTERVAL_SECONDS=0)';
    return undefined;
  }

  protected intervalSeconds(): number {
    return this.config.altinn?.eventsPollIntervalSeconds ?? 0;
  }
}
