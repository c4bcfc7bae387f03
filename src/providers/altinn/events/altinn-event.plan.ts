import type { AuditAction } from '../../../audit/audit.service';
import type { ConsentEntity } from '../../../database/entities/consent.entity';
import { toEventType } from '../altinn3/consent-request.mapping';
import type { ConsentRequestEvent } from '../altinn3/consent-request.types';

export interface EventChange {
  consentId: string;
  eventType: string;
  values: Partial<Pick<ConsentEntity, 'status' | 'revokedAt' | 'lastUsedAt' | 'lastEventAt'>>;
  /** Set for a status change (one change, one audit row). */
  action?: Extract<AuditAction, 'consent.archived' | 'consent.expired'>;
}

/**
 * What one Altinn event does to our consent (api.md, Events): `revoked` and `deleted` → archived,
 * `expired` → expired, each only from active (a consent the bank revoked stays revoked); `used` →
 * lastUsedAt. Types in any letter case; others (accepted, rejected, unknown) change nothing.
 */
export function planAltinnEvent(consent: Pick<ConsentEntity, 'id' | 'status' | 'lastUsedAt'>, event: ConsentRequestEvent): EventChange | null {
  const type = toEventType(event.eventType);
  const at = event.changedDate;
  if ((type === 'revoked' || type === 'deleted') && consent.status === 'active') {
    return { consentId: consent.id, eventType: type, values: { status: 'archived', revokedAt: at, lastEventAt: at }, action: 'consent.archived' };
  }
  if (type === 'expired' && consent.status === 'active') return { consentId: consent.id, eventType: type, values: { status: 'expired', lastEventAt: at }, action: 'consent.expired' };
  if (type === 'used' && (consent.lastUsedAt === null || consent.lastUsedAt < at)) return { consentId: consent.id, eventType: type, values: { lastUsedAt: at } };
  return null;
}
