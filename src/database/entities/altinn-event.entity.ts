import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Every Altinn 3 consent event applied. The feed has no event ids, so an event is known by
 * (consent request, type, changedDate) (notes 1.7): re-reading a page changes nothing.
 */
@Entity('altinn_event')
export class AltinnEventEntity {
  @PrimaryColumn('uuid', { name: 'consent_request_id' })
  consentRequestId!: string;

  /** Lower-cased. */
  @PrimaryColumn('varchar', { name: 'event_type', length: 32 })
  eventType!: string;

  @PrimaryColumn('timestamptz', { name: 'changed_date' })
  changedDate!: Date;

  @Column('timestamptz', { name: 'applied_at', default: () => 'now()' })
  appliedAt!: Date;
}
