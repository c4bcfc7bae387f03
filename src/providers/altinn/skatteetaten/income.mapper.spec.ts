import { mapIncome } from './income.mapper';

const statement = (month: string, pid = '29868099311') => ({
  opplysningspliktigId: '920456789',
  virksomhetId: '920456790',
  kalendermaaned: month,
  inntektsmottaker: { personidentifikator: pid },
  inntekt: [{ fordel: 'kontantytelse', beloep: 40600, utloeserArbeidsgiveravgift: true, inngaarIGrunnlagForTrekk: true, loennsinntekt: { beskrivelse: 'fastloenn' } }],
});

describe('mapIncome', () => {
  it('drops inntektsmottaker and returns the national ids apart', () => {
    const mapped = mapIncome({ oppgaveInntektsmottaker: [statement('2026-08'), statement('2026-09')] });
    expect(mapped?.personidentifikatorer).toEqual(['29868099311']);
    expect(JSON.stringify(mapped?.income)).not.toContain('29868099311');
    expect(mapped?.income.oppgaveInntektsmottaker[1]).toEqual({
      opplysningspliktigId: '920456789',
      virksomhetId: '920456790',
      kalendermaaned: '2026-09',
      inntekt: [{ fordel: 'kontantytelse', beloep: 40600, utloeserArbeidsgiveravgift: true, inngaarIGrunnlagForTrekk: true, loennsinntekt: { beskrivelse: 'fastloenn' } }],
    });
  });

  it('reports every person the answer names, so a stray one can be caught', () => {
    expect(mapIncome({ oppgaveInntektsmottaker: [statement('2026-08'), statement('2026-09', '14842249091')] })?.personidentifikatorer.sort()).toEqual(['14842249091', '29868099311']);
  });

  it.each([
    ['no list', {}],
    ['a month in another format', { oppgaveInntektsmottaker: [{ ...statement('2026-8') }] }],
    ['no inntektsmottaker', { oppgaveInntektsmottaker: [{ ...statement('2026-08'), inntektsmottaker: undefined }] }],
    ['a fractional amount', { oppgaveInntektsmottaker: [{ ...statement('2026-08'), inntekt: [{ ...statement('2026-08').inntekt[0], beloep: 1.5 }] }] }],
    ['a flag as text', { oppgaveInntektsmottaker: [{ ...statement('2026-08'), inntekt: [{ ...statement('2026-08').inntekt[0], inngaarIGrunnlagForTrekk: 'true' }] }] }],
  ])('finds an answer with %s unusable', (_name, body) => {
    expect(mapIncome(body)).toBeUndefined();
  });

  it('keeps an empty list as an empty answer', () => {
    expect(mapIncome({ oppgaveInntektsmottaker: [] })).toEqual({ personidentifikatorer: [], income: { oppgaveInntektsmottaker: [] } });
  });
});
