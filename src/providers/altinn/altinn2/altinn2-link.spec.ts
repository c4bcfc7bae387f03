import { altinn2ConsentFor, buildAltinn2ConsentLink, DEFAULT_DELEGATION_CONTEXT } from './altinn2-link';

const resources = { 'tax-assessment': { code: '4628', edition: '210607' }, income: { code: '4804', edition: '210607' } };
const base = {
  altinn2Url: 'https://tt02.altinn.no',
  coveredBy: '910514458',
  redirectUri: 'https://bff.example/v1/consent-flows/callback/altinn',
  state: 'st4te_-AbC',
};

describe('the Altinn 2 AccessConsent link', () => {
  it('carries every parameter of the document, and parses back to exactly what was meant', () => {
    const message = 'Banken ber om skattegrunnlaget ditt; «lån» & refinansiering, 100% frivillig + trygt?';
    const link = buildAltinn2ConsentLink({ ...base, ...altinn2ConsentFor('tax-assessment', resources, { incomeYear: 2024, message }), validTo: new Date('2027-01-15T12:00:00Z') });
    const url = new URL(link);
    expect(`${url.origin}${url.pathname}`).toBe('https://tt02.altinn.no/ui/AccessConsent/');
    expect([...url.searchParams.keys()]).toEqual(['Resources', 'CoveredBy', 'RedirectUrl', 'ValidToDate', 'LanguageCode', 'DelegationContext', 'ResponseType', 'Metadata']);
    const p = Object.fromEntries(url.searchParams);
    expect(p).toEqual({
      Resources: '4628;210607',
      CoveredBy: '910514458',
      RedirectUrl: 'https://bff.example/v1/consent-flows/callback/altinn?state=st4te_-AbC',
      ValidToDate: '2027-01-15 13:00:00',
      LanguageCode: 'nb-NO',
      DelegationContext: message,
      ResponseType: 'code',
      Metadata: '4628_210607_inntektsaar;2024',
    });
    // Spaces as %20 (Altinn's examples), never '+'; the RedirectUrl's own query cannot leak into ours.
    expect(link).toContain('ValidToDate=2027-01-15%2013:00:00');
    expect(link).not.toMatch(/\+/);
    expect(link.split('&').filter((part) => part.startsWith('state='))).toEqual([]);
  });

  it('writes ValidToDate in summer time as Norwegian local time', () => {
    const link = buildAltinn2ConsentLink({ ...base, ...altinn2ConsentFor('tax-assessment', resources, { incomeYear: 2024 }), validTo: new Date('2027-07-15T21:59:59Z') });
    expect(new URL(link).searchParams.get('ValidToDate')).toBe('2027-07-15 23:59:59');
  });

  it('asks income for its period with Skatteetaten parameter names, and a default text without a message', () => {
    const link = buildAltinn2ConsentLink({ ...base, ...altinn2ConsentFor('income', resources, { fromMonth: '2024-01', toMonth: '2024-06' }), validTo: new Date('2027-01-15T12:00:00Z') });
    const p = new URL(link).searchParams;
    expect(p.get('Resources')).toBe('4804;210607');
    expect(p.get('Metadata')).toBe('4804_210607_fraOgMed;2024-01,4804_210607_tilOgMed;2024-06');
    expect(p.get('DelegationContext')).toBe(DEFAULT_DELEGATION_CONTEXT.income);
  });

  it('keeps a redirect URI query and adds the state to it', () => {
    const link = buildAltinn2ConsentLink({ ...base, redirectUri: 'https://bff.example/cb?tenant=a%26b', ...altinn2ConsentFor('tax-assessment', resources, { incomeYear: 2023 }), validTo: new Date('2027-01-15T12:00:00Z') });
    const redirect = new URL(new URL(link).searchParams.get('RedirectUrl')!);
    expect(redirect.searchParams.get('tenant')).toBe('a&b');
    expect(redirect.searchParams.get('state')).toBe('st4te_-AbC');
  });

  it('refuses a dataset request without its period', () => {
    expect(() => altinn2ConsentFor('income', resources, { fromMonth: '2024-01' })).toThrow(RangeError);
    expect(() => altinn2ConsentFor('tax-assessment', resources, {})).toThrow(RangeError);
  });
});
