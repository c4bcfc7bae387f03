import { mapTaxAssessment } from './tax-assessment.mapper';

const answer = () => ({
  personidentifikator: '14842249091',
  inntektsaar: '2025',
  skjermet: false,
  grunnlag: [
    { tekniskNavn: 'alminneligInntektFoerSaerfradrag', beloep: 612300, kategori: ['inntekt'] },
    { tekniskNavn: 'bruttoformue', beloep: 1850000, kategori: ['formue'], spesifisering: [{ type: 'innskudd', beloep: 1850000, personidentifikator: '14842249091' }] },
  ],
  skatteoppgjoersdato: '2026-06-24',
  stadie: 'oppgjoer',
  ajourholdstidspunkt: '2026-06-24T04:12:00Z',
});

describe('mapTaxAssessment', () => {
  it('returns the national id apart and leaves it out of the data, amounts as integers', () => {
    const mapped = mapTaxAssessment(answer());
    expect(mapped?.personidentifikator).toBe('14842249091');
    expect(JSON.stringify(mapped?.assessment)).not.toContain('14842249091');
    expect(mapped?.assessment).toEqual({
      inntektsaar: '2025',
      stadie: 'oppgjoer',
      skjermet: false,
      skatteoppgjoersdato: '2026-06-24',
      ajourholdstidspunkt: '2026-06-24T04:12:00Z',
      grunnlag: [
        { tekniskNavn: 'alminneligInntektFoerSaerfradrag', beloep: 612300, kategori: ['inntekt'] },
        { tekniskNavn: 'bruttoformue', beloep: 1850000, kategori: ['formue'], spesifisering: [{ type: 'innskudd', beloep: 1850000 }] },
      ],
    });
  });

  it('takes kategori as one name too', () => {
    const body = answer();
    (body.grunnlag[0] as Record<string, unknown>).kategori = 'inntekt';
    expect(mapTaxAssessment(body)?.assessment.grunnlag[0].kategori).toEqual(['inntekt']);
  });

  it.each([
    ['no personidentifikator', (b: Record<string, any>) => delete b.personidentifikator],
    ['a fractional amount', (b: Record<string, any>) => (b.grunnlag[0].beloep = 100.5)],
    ['an amount as text', (b: Record<string, any>) => (b.grunnlag[0].beloep = '100')],
    ['grunnlag not a list', (b: Record<string, any>) => (b.grunnlag = {})],
    ['skjermet missing', (b: Record<string, any>) => delete b.skjermet],
    ['a nested object in spesifisering', (b: Record<string, any>) => (b.grunnlag[1].spesifisering[0].extra = { a: 1 })],
  ])('finds an answer with %s unusable', (_name, spoil) => {
    const body = answer() as Record<string, any>;
    spoil(body);
    expect(mapTaxAssessment(body)).toBeUndefined();
  });

  it('finds non-objects unusable without throwing', () => {
    for (const body of [null, undefined, 'text', 42, []]) expect(mapTaxAssessment(body)).toBeUndefined();
  });
});
