import { Column, Entity, PrimaryColumn } from 'typeorm';

/** How far the consent feed has been applied; advanced in the same transaction as the page. */
@Entity('feed_cursor')
export class FeedCursorEntity {
  @PrimaryColumn('varchar', { length: 64 })
  name!: string;

  /** Highest sequenceNr applied (NoGi's numbers are int64 and not contiguous). */
  @Column('bigint', { name: 'last_sequence_nr' })
  lastSequenceNr!: string;

  @Column('timestamptz', { name: 'last_success_at', nullable: true })
  lastSuccessAt!: Date | null;

  /** A feed whose position is not a number: Altinn 3's events page URL to read next. */
  @Column('text', { nullable: true })
  position!: string | null;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;
}
