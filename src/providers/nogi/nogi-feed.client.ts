import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { AppError } from '../../common/problem';
import { NogiHttpClient, NogiResponse, nogiFailure, nogiStatusFailure } from './nogi-http.client';
import { FeedPage, FeedResponseError, parseFeedJson, parseFeedPage, parseSequenceNrBody } from './nogi-feed.parse';
import { NogiTokenClient } from './nogi-token.client';

export type { FeedEvent, FeedEventType, FeedPage, UnknownFeedEvent } from './nogi-feed.parse';

/**
 * NoGi's Consents Feed API (`/feed/v1/consent`) with the feed token (`client.access.consent.events`).
 * Every call is a GET and safe to repeat; retrying is the poller's business (the next run).
 */
@Injectable()
export class NogiFeedClient {
  constructor(
    private readonly config: AppConfig,
    private readonly http: NogiHttpClient,
    private readonly tokens: NogiTokenClient,
  ) {}

  /** Oldest sequence number still in the feed (7 days are kept). */
  async firstSequenceNr(): Promise<bigint> {
    const body = await this.get('feed.first_sequence_nr', '/firstSequenceNr');
    return this.parse(() => parseSequenceNrBody(body, 'firstSequenceNr'));
  }

  /** Newest sequence number in the feed. */
  async lastSequenceNr(): Promise<bigint> {
    const body = await this.get('feed.last_sequence_nr', '/lastSequenceNr');
    return this.parse(() => parseSequenceNrBody(body, 'lastSequenceNr'));
  }

  /** Events from `fromSequenceNr` (inclusive), at most `limit`. */
  async page(fromSequenceNr: bigint, limit: number): Promise<FeedPage> {
    const query = new URLSearchParams({ fromSequenceNr: fromSequenceNr.toString(), limit: String(limit) });
    const body = await this.get('feed.page', `?${query.toString()}`);
    return this.parse(() => parseFeedPage(body, fromSequenceNr));
  }

  private async get(operation: string, suffix: string): Promise<unknown> {
    const url = `${this.config.nogiAudiences.feed}${suffix}`;
    let response: NogiResponse;
    try {
      response = await this.tokens.withToken('feed', (token) =>
        // The two sequence-number endpoints declare `*/*`; JSON is what they send.
        this.http.send({ operation, method: 'GET', url, headers: { authorization: `Bearer ${token}`, accept: 'application/json, */*;q=0.5' } }),
      );
    } catch (error) {
      // NoGi failures become problems; anything else (the token cache's store, say) stays what it is.
      throw nogiFailure(error, operation);
    }
    if (response.status !== 200) throw nogiStatusFailure(response.status, operation);
    return this.parse(() => parseFeedJson(response.text ?? (typeof response.body === 'string' ? response.body : JSON.stringify(response.body))));
  }

  private parse<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      // The reason names a field, never a value from the body.
      if (error instanceof FeedResponseError) throw new AppError('NOGI_BAD_RESPONSE', `NoGi's consent feed answered unexpectedly: ${error.message}.`, { cause: error });
      throw error;
    }
  }
}
