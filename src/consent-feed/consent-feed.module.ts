import { Module } from '@nestjs/common';
import { NogiFeedClient } from '../providers/nogi/nogi-feed.client';
import { ConsentFeedPoller } from './consent-feed.poller';
import { ConsentFeedRepository } from './consent-feed.repository';
import { ConsentFeedService } from './consent-feed.service';

/** Follows NoGi's consent event feed so our consent records stay true (issue 6). */
@Module({
  providers: [NogiFeedClient, ConsentFeedRepository, ConsentFeedService, ConsentFeedPoller],
  exports: [ConsentFeedService],
})
export class ConsentFeedModule {}
