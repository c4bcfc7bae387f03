import { flatWithoutPerson, isAmount, isNationalIdText, isRecord, isText } from './skatteetaten-shape';
import type { TaxAssessmentDto, TaxBasisItemDto } from './tax-assessment.dto';

export interface MappedTaxAssessment {
  /** Skatteetaten's copy of the national id, for the caller's identity check; never in the DTO. */
  personidentifikator: string;
  assessment: TaxAssessmentDto;
}

/** Summert skattegrunnlag → our DTO, or undefined when the answer is not one we can use. */
export function mapTaxAssessment(body: unknown): MappedTaxAssessment | undefined {
  if (!isRecord(body) || !isNationalIdText(body.personidentifikator)) return undefined;
  if (!(typeof body.inntektsaar === 'string' && /^\d{4}$/.test(body.inntektsaar)) && !(Number.isInteger(body.inntektsaar))) return undefined;
  if (typeof body.skjermet !== 'boolean' || !isText(body.stadie) || !Array.isArray(body.grunnlag)) return undefined;
  for (const key of ['skatteoppgjoersdato', 'ajourholdstidspunkt'] as const) {
    if (body[key] !== undefined && body[key] !== null && !isText(body[key])) return undefined;
  }
  const grunnlag: TaxBasisItemDto[] = [];
  for (const item of body.grunnlag) {
    const mapped = mapItem(item);
    if (!mapped) return undefined;
    grunnlag.push(mapped);
  }
  const assessment: TaxAssessmentDto = {
    inntektsaar: String(body.inntektsaar),
    stadie: body.stadie,
    skjermet: body.skjermet,
    ...(isText(body.skatteoppgjoersdato) ? { skatteoppgjoersdato: body.skatteoppgjoersdato } : {}),
    ...(isText(body.ajourholdstidspunkt) ? { ajourholdstidspunkt: body.ajourholdstidspunkt } : {}),
    grunnlag,
  };
  return { personidentifikator: body.personidentifikator, assessment };
}

function mapItem(item: unknown): TaxBasisItemDto | undefined {
  if (!isRecord(item) || !isText(item.tekniskNavn) || !isAmount(item.beloep)) return undefined;
  // `kategori` is documented without its type: a list of names or one name are both taken.
  const kategori = typeof item.kategori === 'string' ? [item.kategori] : item.kategori;
  if (!Array.isArray(kategori) || !kategori.every(isText)) return undefined;
  const out: TaxBasisItemDto = { tekniskNavn: item.tekniskNavn, beloep: item.beloep, kategori: [...kategori] };
  if (item.spesifisering !== undefined && item.spesifisering !== null) {
    if (!Array.isArray(item.spesifisering)) return undefined;
    const entries = item.spesifisering.map(flatWithoutPerson);
    if (entries.some((e) => e === undefined)) return undefined;
    out.spesifisering = entries as NonNullable<TaxBasisItemDto['spesifisering']>;
  }
  for (const key of ['andelSkattefritt', 'andelOverfoertFraBarn'] as const) {
    if (item[key] === undefined || item[key] === null) continue;
    if (!isAmount(item[key])) return undefined;
    out[key] = item[key];
  }
  return out;
}
