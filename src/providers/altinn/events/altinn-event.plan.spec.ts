import { planAltinnEvent } from './altinn-event.plan';

const consent = (status: 'active' | 'revoked' | 'expired', lastUsedAt: Date | null = null) => ({ id: 'c1', status, lastUsedAt });
const event = (eventType: string, at = '2026-12-01T10:00:00Z') => ({ consentRequestId: 'r1', eventType, changedDate: new Date(at) });

describe('planAltinnEvent', () => {
  it('archives an active consent revoked or deleted in Altinn, whatever the letter case', () => {
    for (const type of ['revoked', 'Revoked', 'DELETED']) {
      expect(planAltinnEvent(consent('active'), event(type))).toMatchObject({ values: { status: 'archived', revokedAt: new Date('2026-12-01T10:00:00Z') }, action: 'consent.archived' });
    }
  });

  it('leaves a consent the bank revoked as revoked, and an expired one as expired', () => {
    expect(planAltinnEvent(consent('revoked'), event('revoked'))).toBeNull();
    expect(planAltinnEvent(consent('expired'), event('deleted'))).toBeNull();
  });

  it('expires an active consent on expired, and records use without a status change', () => {
    expect(planAltinnEvent(consent('active'), event('Expired'))).toMatchObject({ values: { status: 'expired' }, action: 'consent.expired' });
    const used = planAltinnEvent(consent('active', new Date('2026-11-01T00:00:00Z')), event('used'));
    expect(used).toEqual({ consentId: 'c1', eventType: 'used', values: { lastUsedAt: new Date('2026-12-01T10:00:00Z') } });
    expect(planAltinnEvent(consent('active', new Date('2026-12-02T00:00:00Z')), event('used'))).toBeNull();
  });

  it('ignores accepted, rejected and types it does not know', () => {
    for (const type of ['accepted', 'rejected', 'created', 'moved']) expect(planAltinnEvent(consent('active'), event(type))).toBeNull();
  });
});
