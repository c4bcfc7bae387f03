import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { ConsentFeedService } from './consent-feed.service';
import { FeedPoller } from './feed-poller';

/** NoGi's consent feed, every FEED_POLL_INTERVAL_SECONDS (0 = off), when NoGi is enabled. */
@Injectable()
export class ConsentFeedPoller extends FeedPoller {
  constructor(
    private readonly config: AppConfig,
    service: ConsentFeedService,
  ) {
    super(new Logger(ConsentFeedPoller.name), service);
  }

  protected offReason(): string | undefined {
    if (!this.config.providers.includes('nogi')) return 'NoGi is not enabled (PROVIDERS): its consent feed is not polled';
    if (this.config.feedPollIntervalSeconds <= 0) return 'Consent feed polling is off (FEED_POLL_INTERVAL_SECONDS=0)';
    return undefined;
  }

  protected intervalSeconds(): number {
    return this.config.feedPollIntervalSeconds;
  }
}
