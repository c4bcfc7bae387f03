import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { AuditService, SYSTEM_ACTOR } from '../../../audit/audit.service';
import { withAdvisoryLock } from '../../../consent-feed/advisory-lock';
import { AltinnEventEntity, ConsentEntity } from '../../../database/entities';
import type { ConsentRequestEvent } from '../altinn3/consent-request.types';
import { type EventChange, planAltinnEvent } from './altinn-event.plan';

/** The cursor row of Altinn 3's consent events (in feed_cursor, beside NoGi's). */
export const ALTINN_EVENTS_CURSOR_NAME = 'altinn-consent-events';
/** Key of the PostgreSQL advisory lock only the polling replica holds ('altinnev' in ASCII). */
export const ALTINN_EVENTS_LOCK_KEY = '7020098510307075446';

const ACTOR = SYSTEM_ACTOR('altinn-events');

/** Storage of the Altinn events poller: its lock, its cursor, the applied events and the consents they change. */
@Injectable()
export class AltinnEventsRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  withLock<T>(work: (session: AltinnEventsSession) => Promise<T>): Promise<{ locked: true; value: T } | { locked: false }> {
    return withAdvisoryLock(this.dataSource, ALTINN_EVENTS_LOCK_KEY, (runner) => work(new AltinnEventsSession(runner, this.audit)));
  }
}

/** One poll's view of the database, on the connection holding the lock. */
export class AltinnEventsSession {
  constructor(
    private readonly runner: QueryRunner,
    private readonly audit: AuditService,
  ) {}

  /** The events page URL to read next; null: the feed's first page. */
  async cursor(): Promise<string | null> {
    const rows = (await this.runner.query('SELECT position FROM feed_cursor WHERE name = $1', [ALTINN_EVENTS_CURSOR_NAME])) as { position: string | null }[];
    return rows[0]?.position ?? null;
  }

  /**
   * Applies one page and moves the cursor, in one transaction. Events already applied (a page read
   * again, which the feed makes us do until it is full) change nothing. Returns the changes made.
   */
  async applyPage(events: ConsentRequestEvent[], cursor: string | null): Promise<EventChange[]> {
    return this.runner.manager.transaction(async (m) => {
      const changes: EventChange[] = [];
      for (const event of await this.fresh(m, events)) {
        const consent = await m
          .getRepository(ConsentEntity)
          .createQueryBuilder('c')
          .where("c.provider = 'altinn' AND c.providerConsentId = :id", { id: event.consentRequestId.toLowerCase() })
          .setLock('pessimistic_write')
          .getOne();
        if (!consent) continue;
        const change = planAltinnEvent(consent, event);
        if (!change) continue;
        await m.getRepository(ConsentEntity).update({ id: consent.id }, change.values);
        if (change.action) {
          await this.audit.record({ action: change.action, actor: ACTOR, outcome: 'success', dataset: consent.dataset, consentId: consent.id, detail: { reason: `altinn_${change.eventType}`, from: consent.status, to: change.values.status ?? consent.status } }, m);
        }
        changes.push(change);
      }
      await m.query(
        `INSERT INTO feed_cursor (name, last_sequence_nr, position, updated_at) VALUES ($1, 0, $2, now())
         ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, updated_at = now()`,
        [ALTINN_EVENTS_CURSOR_NAME, cursor],
      );
      return changes;
    });
  }

  /** Records the page's events; those recorded before (same request, type and changedDate) are left out. */
  private async fresh(m: EntityManager, events: ConsentRequestEvent[]): Promise<ConsentRequestEvent[]> {
    const valid = events.filter((e) => /^[0-9a-f-]{36}$/i.test(e.consentRequestId));
    if (valid.length === 0) return [];
    const result = await m
      .createQueryBuilder()
      .insert()
      .into(AltinnEventEntity)
      .values(valid.map((e) => ({ consentRequestId: e.consentRequestId.toLowerCase(), eventType: e.eventType.toLowerCase(), changedDate: e.changedDate })))
      .orIgnore()
      .returning(['consentRequestId', 'eventType', 'changedDate'])
      .execute();
    const keys = new Set((result.raw as { consent_request_id: string; event_type: string; changed_date: Date }[]).map((r) => `${r.consent_request_id} ${r.event_type} ${new Date(r.changed_date).getTime()}`));
    return valid.filter((e) => keys.has(`${e.consentRequestId.toLowerCase()} ${e.eventType.toLowerCase()} ${e.changedDate.getTime()}`));
  }
}
