import { parseDetails } from './altinn3-consent.client';
import { consentRequestBody, formatValidTo, incomeRight, parseRights, taxAssessmentRight, toConsentStatus, toEventType } from './consent-request.mapping';

const ID = '0f8e2a4c-3b1d-4e6f-9a7b-1c2d3e4f5a6b';
const PERSON = '14842249091';

describe('consent request mapping', () => {
  it('reads statuses and event types in any letter case, and nothing else', () => {
    expect(toConsentStatus('Accepted')).toBe('accepted');
    expect(toConsentStatus('accepted')).toBe('accepted');
    expect(toConsentStatus('REVOKED')).toBe('revoked');
    expect(toConsentStatus('used')).toBeUndefined();
    expect(toConsentStatus('granted')).toBeUndefined();
    expect(toConsentStatus(3)).toBeUndefined();
    expect(toEventType('Used')).toBe('used');
    expect(toEventType('deleted')).toBe('deleted');
    expect(toEventType('moved')).toBeUndefined();
  });

  it('writes validTo to the second with an explicit offset', () => {
    expect(formatValidTo(new Date('2026-07-18T06:18:12.345Z'))).toBe('2026-07-18T06:18:12+00:00');
  });

  it('builds exactly the documented body: one consent right with lower-case metadata, no message unless given', () => {
    const body = consentRequestBody({ id: ID, nationalId: PERSON, validTo: new Date('2027-01-01T00:00:00Z'), right: taxAssessmentRight(2025), redirectUrl: 'https://bank.example/cb?state=s' }, '974760673');
    expect(body).toEqual({
      id: ID,
      from: 'urn:altinn:person:identifier-no:14842249091',
      to: 'urn:altinn:organization:identifier-no:974760673',
      validTo: '2027-01-01T00:00:00+00:00',
      consentRights: [{ action: ['consent'], resource: [{ type: 'urn:altinn:resource', value: 'ske-samtykke-sbl-summert-skattegrunnlag' }], metadata: { inntektsaar: '2025' } }],
      redirectUrl: 'https://bank.example/cb?state=s',
    });
    expect(Object.keys(body)).not.toContain('requestMessage');
  });

  it('sends the message in bokmål when there is one, and income rights with fraogmed and tilogmed', () => {
    const body = consentRequestBody({ id: ID, nationalId: PERSON, validTo: new Date('2027-01-01T00:00:00Z'), right: incomeRight('2025-01', '2025-12'), message: 'Lånesøknad', redirectUrl: 'https://bank.example/cb' }, '974760673');
    expect(body.requestMessage).toEqual({ nb: 'Lånesøknad' });
    expect(body.consentRights).toEqual([expect.objectContaining({ resource: [{ type: 'urn:altinn:resource', value: 'ske-samtykke-sbl-inntekt' }], metadata: { fraogmed: '2025-01', tilogmed: '2025-12' } })]);
  });

  it('refuses to build a request for an invalid national id', () => {
    expect(() => consentRequestBody({ id: ID, nationalId: '14842249092', validTo: new Date(), right: taxAssessmentRight(2025), redirectUrl: 'https://bank.example/cb' }, '974760673')).toThrow(RangeError);
  });

  it('reads rights leniently: any case of names, metadata keys lower-cased', () => {
    expect(parseRights([{ Action: ['consent'], Resource: [{ Type: 'urn:altinn:resource', Value: 'ske-samtykke-sbl-inntekt' }], MetaData: { FraOgMed: '2025-01', tilOgMed: '2025-03' } }])).toEqual([
      { resource: 'ske-samtykke-sbl-inntekt', metadata: { fraogmed: '2025-01', tilogmed: '2025-03' } },
    ]);
    expect(parseRights([{ resource: [] }])).toBeUndefined();
  });

  const details = {
    id: ID,
    from: 'urn:altinn:person:identifier-no:14842249091',
    to: 'urn:altinn:organization:identifier-no:974760673',
    validTo: '2027-01-01T00:00:00+00:00',
    consentRights: [{ action: ['consent'], resource: [{ type: 'urn:altinn:resource', value: 'ske-samtykke-sbl-summert-skattegrunnlag' }], metadata: { inntektsaar: '2025' } }],
    status: 'Accepted',
    consented: '2026-12-01T10:00:00+00:00',
    consentRequestEvents: [{ consentEventID: 'e1', eventType: 'Created', created: '2026-12-01T09:59:00+00:00', consentRequestID: ID }],
  };

  it('reads details with a capitalised status', () => {
    expect(parseDetails(details)).toMatchObject({ id: ID, status: 'accepted', altinnStatus: 'accepted', consented: new Date('2026-12-01T10:00:00Z'), rights: [{ metadata: { inntektsaar: '2025' } }] });
  });

  it('reports an accepted request carrying the synthetic expired event as expired, a rejected one as rejected', () => {
    const expiredEvent = { eventType: 'Expired', created: '2027-01-01T00:00:00+00:00' };
    expect(parseDetails({ ...details, consentRequestEvents: [...details.consentRequestEvents, expiredEvent] })).toMatchObject({ status: 'expired', altinnStatus: 'accepted' });
    expect(parseDetails({ ...details, status: 'Rejected', consentRequestEvents: [expiredEvent] })).toMatchObject({ status: 'rejected' });
  });

  it('reads parties given as {type, value}, and refuses details without a known status', () => {
    expect(parseDetails({ ...details, from: { type: 'urn:altinn:person:identifier-no', value: PERSON } })?.from).toBe('urn:altinn:person:identifier-no:14842249091');
    expect(parseDetails({ ...details, status: 'Pending' })).toBeUndefined();
    expect(parseDetails({ ...details, validTo: 'tomorrow' })).toBeUndefined();
  });
});
