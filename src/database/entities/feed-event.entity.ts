import type { Provider } from './consent.entity';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Every feed event applied, keyed by NoGi's eventId, so replaying a page changes nothing. An event
 * of a type we do not know is recorded here too (its envelope and type) and applied to nothing.
 */
@Entity('feed_event')
@Index('feed_event_consent_idx', ['provider', 'providerConsentId', 'eventTimestamp'])
export class FeedEventEntity {
  @PrimaryColumn('uuid', { name: 'event_id' })
  eventId!: string;

  @Column('bigint', { name: 'sequence_nr' })
  sequenceNr!: string;

  /** The event's top-level consentId (the nested one in archived events is unreliable upstream). */
  @Column('varchar', { length: 16, default: 'nogi' })
  provider!: Provider;

  @Column('text', { name: 'provider_consent_id' })
  providerConsentId!: string;

  @Column('varchar', { name: 'event_type', length: 32 })
  eventType!: string;

  @Column('timestamptz', { name: 'event_timestamp' })
  eventTimestamp!: Date;

  @Column('timestamptz', { name: 'applied_at', default: () => 'now()' })
  appliedAt!: Date;
}
