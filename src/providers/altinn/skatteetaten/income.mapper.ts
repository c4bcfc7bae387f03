import type { IncomeDto, IncomeItemDto, IncomeStatementDto } from './income.dto';
import { flatWithoutPerson, isAmount, isNationalIdText, isRecord, isText } from './skatteetaten-shape';

export interface MappedIncome {
  /** Every `inntektsmottaker.personidentifikator` of the answer (distinct), for the caller's identity check. */
  personidentifikatorer: string[];
  income: IncomeDto;
}

/** Inntekt → our DTO, or undefined when the answer is not one we can use. */
export function mapIncome(body: unknown): MappedIncome | undefined {
  if (!isRecord(body) || !Array.isArray(body.oppgaveInntektsmottaker)) return undefined;
  const persons = new Set<string>();
  const statements: IncomeStatementDto[] = [];
  for (const statement of body.oppgaveInntektsmottaker) {
    if (!isRecord(statement) || !isText(statement.opplysningspliktigId) || !isText(statement.virksomhetId)) return undefined;
    if (typeof statement.kalendermaaned !== 'string' || !/^\d{4}-(0[1-9]|1[0-2])$/.test(statement.kalendermaaned)) return undefined;
    const receiver = statement.inntektsmottaker;
    if (!isRecord(receiver) || !isNationalIdText(receiver.personidentifikator)) return undefined;
    persons.add(receiver.personidentifikator);
    if (!Array.isArray(statement.inntekt)) return undefined;
    const inntekt: IncomeItemDto[] = [];
    for (const item of statement.inntekt) {
      const mapped = mapItem(item);
      if (!mapped) return undefined;
      inntekt.push(mapped);
    }
    statements.push({ opplysningspliktigId: statement.opplysningspliktigId, virksomhetId: statement.virksomhetId, kalendermaaned: statement.kalendermaaned, inntekt });
  }
  return { personidentifikatorer: [...persons], income: { oppgaveInntektsmottaker: statements } };
}

function mapItem(item: unknown): IncomeItemDto | undefined {
  if (!isRecord(item) || !isText(item.fordel) || !isAmount(item.beloep)) return undefined;
  if (typeof item.utloeserArbeidsgiveravgift !== 'boolean' || typeof item.inngaarIGrunnlagForTrekk !== 'boolean') return undefined;
  const out: IncomeItemDto = { fordel: item.fordel, beloep: item.beloep, utloeserArbeidsgiveravgift: item.utloeserArbeidsgiveravgift, inngaarIGrunnlagForTrekk: item.inngaarIGrunnlagForTrekk };
  if (item.loennsinntekt !== undefined && item.loennsinntekt !== null) {
    const details = flatWithoutPerson(item.loennsinntekt);
    if (!details) return undefined;
    out.loennsinntekt = details;
  }
  return out;
}
