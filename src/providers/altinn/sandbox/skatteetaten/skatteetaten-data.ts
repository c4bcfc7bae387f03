/**
 * Synthetic Skatteetaten data for the sandbox persons (the same as NoGi's): a tax assessment per
 * income year and monthly income from a-ordningen, deterministic so tests can name the amounts.
 */
export interface SyntheticTaxPerson {
  /** Yearly salary in kroner (the income year's wages; monthly wages are a twelfth). */
  salary: number;
  employer: { opplysningspliktigId: string; virksomhetId: string };
  wealth: number;
  debt: number;
}

export const SKATTEETATEN_PERSONS: Readonly<Record<string, SyntheticTaxPerson>> = {
  '14842249091': { salary: 612_000, employer: { opplysningspliktigId: '910123456', virksomhetId: '910123457' }, wealth: 1_850_000, debt: 2_400_000 },
  '29868099311': { salary: 487_200, employer: { opplysningspliktigId: '920456789', virksomhetId: '920456790' }, wealth: 310_000, debt: 950_000 },
};

/** The first income year with an assessment, and one year in between without one (SSG-008). */
export const FIRST_ASSESSMENT_YEAR = 2015;
export const YEAR_WITHOUT_ASSESSMENT = 2021;
/** Months before this one have no income (IM-008 when no asked month has any). */
export const FIRST_INCOME_MONTH = '2024-01';

/** Summert skattegrunnlag as Skatteetaten answers it, or undefined when that person and year have none. */
export function taxAssessmentFor(nationalId: string, year: number, nowMs: number): Record<string, unknown> | undefined {
  const person = SKATTEETATEN_PERSONS[nationalId];
  const latest = new Date(nowMs).getUTCFullYear() - 1;
  if (!person || year < FIRST_ASSESSMENT_YEAR || year > latest || year === YEAR_WITHOUT_ASSESSMENT) return undefined;
  // Wages grow about 3 % a year up to `latest`.
  const growth = Math.pow(1.03, year - latest);
  const salary = Math.round(person.salary * growth);
  const interest = Math.round(person.debt * 0.05);
  const ordinaryIncome = salary - interest - 10_000;
  return {
    personidentifikator: nationalId,
    inntektsaar: String(year),
    skjermet: false,
    grunnlag: [
      { tekniskNavn: 'loennsinntektMedTrygdeavgiftspliktOmfattetAvLoennsoppgaveplikt', beloep: salary, kategori: ['inntekt'] },
      { tekniskNavn: 'renteinntektAvInnskudd', beloep: Math.round(person.wealth * 0.004), kategori: ['inntekt'] },
      { tekniskNavn: 'gjeldsrenter', beloep: interest, kategori: ['fradrag'] },
      { tekniskNavn: 'fagforeningskontingent', beloep: 10_000, kategori: ['fradrag'] },
      { tekniskNavn: 'alminneligInntektFoerSaerfradrag', beloep: ordinaryIncome, kategori: ['inntekt'] },
      { tekniskNavn: 'samletGjeld', beloep: person.debt, kategori: ['gjeld'] },
      { tekniskNavn: 'bruttoformue', beloep: person.wealth, kategori: ['formue'], spesifisering: [{ type: 'innskudd', beloep: person.wealth }] },
    ],
    skatteoppgjoersdato: `${year + 1}-06-24`,
    stadie: 'oppgjoer',
    ajourholdstidspunkt: `${year + 1}-06-24T04:12:00Z`,
  };
}

/** The months from..to (YYYY-MM, inclusive). */
export function monthsBetween(from: string, to: string): string[] {
  const months: string[] = [];
  let [y, m] = from.split('-').map(Number);
  const [ty, tm] = to.split('-').map(Number);
  while (y < ty || (y === ty && m <= tm)) {
    months.push(`${y}-${String(m).padStart(2, '0')}`);
    m += 1;
    if (m > 12) [y, m] = [y + 1, 1];
  }
  return months;
}

/** Inntekt's `oppgaveInntektsmottaker` for the asked months; empty when none has data. Up to last month only. */
export function incomeFor(nationalId: string, from: string, to: string, nowMs: number): Array<Record<string, unknown>> {
  const person = SKATTEETATEN_PERSONS[nationalId];
  if (!person) return [];
  const now = new Date(nowMs);
  const previous = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  const lastMonth = `${previous.getUTCFullYear()}-${String(previous.getUTCMonth() + 1).padStart(2, '0')}`;
  const monthly = Math.round(person.salary / 12);
  return monthsBetween(from, to)
    .filter((month) => month >= FIRST_INCOME_MONTH && month <= lastMonth)
    .map((month) => ({
      opplysningspliktigId: person.employer.opplysningspliktigId,
      virksomhetId: person.employer.virksomhetId,
      kalendermaaned: month,
      inntektsmottaker: { personidentifikator: nationalId },
      inntekt: [
        { fordel: 'kontantytelse', beloep: monthly, utloeserArbeidsgiveravgift: true, inngaarIGrunnlagForTrekk: true, loennsinntekt: { beskrivelse: 'fastloenn' } },
        ...(month.endsWith('-06')
          ? [{ fordel: 'kontantytelse', beloep: Math.round(person.salary * 0.12), utloeserArbeidsgiveravgift: true, inngaarIGrunnlagForTrekk: false, loennsinntekt: { beskrivelse: 'feriepenger' } }]
          : []),
      ],
    }));
}
