import { altinnStatusOf } from './altinn.provider';

describe('altinnStatusOf', () => {
  const now = new Date('2026-12-01T10:00:00Z');
  const later = new Date('2026-12-31T10:00:00Z');

  it('is active while accepted and unexpired', () => {
    expect(altinnStatusOf({ status: 'accepted', validTo: later }, now)).toEqual({ active: true, expiresAt: later });
  });

  it('is expired when Altinn says so or validTo has passed', () => {
    expect(altinnStatusOf({ status: 'expired', validTo: later }, now)).toMatchObject({ active: false, ended: 'expired' });
    expect(altinnStatusOf({ status: 'accepted', validTo: new Date('2026-11-30T00:00:00Z') }, now)).toMatchObject({ active: false, ended: 'expired' });
  });

  it('is archived when revoked or deleted at Altinn', () => {
    expect(altinnStatusOf({ status: 'revoked', validTo: later }, now)).toEqual({ active: false, ended: 'archived', reason: 'altinn_revoked' });
    expect(altinnStatusOf({ status: 'deleted', validTo: later }, now)).toMatchObject({ ended: 'archived' });
  });
});
