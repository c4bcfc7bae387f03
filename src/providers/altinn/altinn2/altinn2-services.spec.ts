import { grantedServices, grantsService, parseServiceEntry, parseServiceSetting } from './altinn2-services';

describe('Altinn 2 services in tokens', () => {
  it('reads every separator and metadata form of the documents', () => {
    expect(parseServiceEntry('4629,2')).toEqual({ code: '4629', edition: '2', metadata: {} });
    expect(parseServiceEntry('4630;2')).toEqual({ code: '4630', edition: '2', metadata: {} });
    expect(parseServiceEntry('4629_2')).toEqual({ code: '4629', edition: '2', metadata: {} });
    expect(parseServiceEntry('4629,2,inntektsaar=2015')).toEqual({ code: '4629', edition: '2', metadata: { inntektsaar: '2015' } });
    expect(parseServiceEntry('4629_2_inntektsaar=2016')).toEqual({ code: '4629', edition: '2', metadata: { inntektsaar: '2016' } });
    expect(parseServiceEntry('4630,2,fraOgMed=november 2016,tilOgMed=januar 2017')).toEqual({ code: '4630', edition: '2', metadata: { fraOgMed: 'november 2016', tilOgMed: 'januar 2017' } });
    expect(parseServiceEntry('4804_210607_fraOgMed=2024-01_tilOgMed=2024-06')).toEqual({ code: '4804', edition: '210607', metadata: { fraOgMed: '2024-01', tilOgMed: '2024-06' } });
    expect(parseServiceEntry('nonsense')).toBeUndefined();
    expect(parseServiceEntry('4629,2,junk')).toBeUndefined();
  });

  it('reads the old ServiceCodes string, an array, and Services together', () => {
    expect(grantedServices({ ServiceCodes: '4629,1' }).map((s) => s.code + '/' + s.edition)).toEqual(['4629/1']);
    expect(grantedServices({ ServiceCodes: ['4629,2', '4630;2'] }).map((s) => s.code)).toEqual(['4629', '4630']);
    expect(grantedServices({ ServiceCodes: '4629,1', Services: ['4628_210607', 7, null] }).map((s) => s.code)).toEqual(['4629', '4628']);
    expect(grantedServices({})).toEqual([]);
  });

  it('grants a service only with every requested metadata value, reading split entries together', () => {
    const granted = grantedServices({ Services: ['4804_210607', '4804_210607_fraOgMed=2024-01', '4804_210607_tilOgMed=2024-06'] });
    const income = { code: '4804', edition: '210607' };
    expect(grantsService(granted, income, { fraOgMed: '2024-01', tilOgMed: '2024-06' })).toBe('granted');
    expect(grantsService(granted, income, { fraogmed: '2024-01' })).toBe('granted');
    expect(grantsService(granted, income, { fraOgMed: '2023-01', tilOgMed: '2024-06' })).toBe('metadata_mismatch');
    expect(grantsService(granted, { code: '4628', edition: '210607' })).toBe('service_missing');
    expect(grantsService(grantedServices({ Services: ['4628,210607'] }), { code: '4628', edition: '210607' }, { inntektsaar: '2024' })).toBe('metadata_mismatch');
    expect(grantsService(granted, { code: '4804', edition: '170223' })).toBe('service_missing');
  });

  it('reads the configured code;edition', () => {
    expect(parseServiceSetting('4628;210607')).toEqual({ code: '4628', edition: '210607' });
    expect(parseServiceSetting('4628_210607')).toBeUndefined();
    expect(parseServiceSetting('4628')).toBeUndefined();
  });
});
