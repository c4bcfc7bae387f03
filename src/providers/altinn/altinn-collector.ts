import { Inject, Injectable } from '@nestjs/common';
import { decodeJwt } from 'jose';
import type { ConsentParameters } from '../../database/entities/consent.entity';
import type { Dataset } from '../datasets';
import { type AltinnClients, ALTINN_CLIENTS, requireAltinn } from './altinn-clients';
import { personUrn } from './altinn3/consent-request.mapping';
import { ALTINN_CONSENT_TYPE } from './maskinporten/maskinporten-grant';
import type { IncomeDto } from './skatteetaten/income.dto';
import { SkatteetatenConsentError, withFreshTokenOnUnauthorized } from './skatteetaten/skatteetaten-call';
import type { TaxAssessmentDto } from './skatteetaten/tax-assessment.dto';

/** Skatteetaten's data scope per dataset (notes 3), for Altinn 3's consent token and Altinn 2's bearer beside AltinnSamtykke alike. */
export const DATA_SCOPES: Record<'tax-assessment' | 'income', string> = {
  'tax-assessment': 'skatteetaten:summertskattegrunnlag',
  income: 'skatteetaten:inntekt',
};

export type AltinnData = TaxAssessmentDto | IncomeDto;

export type Collected =
  | {
      kind: 'found';
      data: AltinnData;
      /** Every national id the answer names: the consent token's `from` and Skatteetaten's personidentifikator(s). */
      persons: string[];
    }
  | { kind: 'no_data'; persons: string[] }
  /** The consent token is for someone else: Skatteetaten is not asked at all. */
  | { kind: 'other_person'; persons: string[] };

/**
 * One collection with an Altinn 3 consent: a Maskinporten consent token for the dataset's scope
 * (`authorization_details` = the consent request and its `from`), then Skatteetaten with only that
 * bearer token. Returns the persons the answers name, for the caller's identity check; throws
 * MaskinportenGrantRefusedError, SkatteetatenConsentError or an upstream AppError as they come.
 * Skatteetaten answering 401 to the consent token drops it from the cache and the collection is
 * made once more with a freshly granted one (the person in it checked again); a second 401 is
 * SKATTEETATEN_REJECTED, as any other refusal.
 */
@Injectable()
export class AltinnCollector {
  constructor(@Inject(ALTINN_CLIENTS) private readonly clients: AltinnClients | null) {}

  async collect(dataset: Dataset, consentRequestId: string, nationalId: string, parameters: ConsentParameters | null): Promise<Collected> {
    const clients = requireAltinn(this.clients);
    const scope = DATA_SCOPES[dataset as 'tax-assessment' | 'income'];
    if (!scope) throw new RangeError(`${dataset} is not an Altinn dataset`);
    const consent = { id: consentRequestId, from: personUrn(nationalId) };
    const bearer = { get: () => clients.maskinporten.consentToken(scope, consent), invalidate: (token: string) => clients.maskinporten.invalidate(scope, token, consent) };
    return withFreshTokenOnUnauthorized(bearer, async (token): Promise<Collected> => {
      const persons = [tokenPerson(token, consentRequestId)];
      if (persons[0] !== nationalId) return { kind: 'other_person', persons };
      try {
        if (dataset === 'tax-assessment') {
          const result = await clients.taxAssessment.get({ bearer: token }, Number(parameters?.incomeYear), nationalId);
          if (result.kind === 'no_data') return { kind: 'no_data', persons };
          return { kind: 'found', data: result.assessment, persons: [...persons, result.personidentifikator] };
        }
        const result = await clients.income.get({ bearer: token }, String(parameters?.fromMonth), String(parameters?.toMonth), nationalId);
        if (result.kind === 'no_data') return { kind: 'no_data', persons };
        return { kind: 'found', data: result.income, persons: [...persons, ...result.personidentifikatorer] };
      } catch (error) {
        // A token Skatteetaten refuses for the consent is not used again: the next read asks anew.
        if (error instanceof SkatteetatenConsentError) await bearer.invalidate(token).catch(() => undefined);
        throw error;
      }
    });
  }
}

/** How many consent tokens' persons are remembered (the tokens in use: one per consent and scope). */
const REMEMBERED_TOKENS = 1024;
const tokenPersons = new Map<string, { consentRequestId: string; person: string }>();

/**
 * The national id in the consent token's `authorization_details` entry for this request, or '' when
 * there is none. Decoded without verifying the signature: the token comes straight from
 * Maskinporten over TLS and is checked by Skatteetaten, its audience; we only read who it is for.
 * A token is used for every read of its consent while it lives, so what it says is remembered for
 * the most recent tokens (keyed by the token itself: the same string the token cache holds).
 */
function tokenPerson(token: string, consentRequestId: string): string {
  const known = tokenPersons.get(token);
  if (known?.consentRequestId === consentRequestId) return known.person;
  const person = decodeTokenPerson(token, consentRequestId);
  if (tokenPersons.size >= REMEMBERED_TOKENS) tokenPersons.delete(tokenPersons.keys().next().value!);
  tokenPersons.set(token, { consentRequestId, person });
  return person;
}

function decodeTokenPerson(token: string, consentRequestId: string): string {
  let details: unknown;
  try {
    details = decodeJwt(token).authorization_details;
  } catch {
    return '';
  }
  const entry = (Array.isArray(details) ? details : []).find(
    (d: unknown) => typeof d === 'object' && d !== null && (d as { type?: unknown }).type === ALTINN_CONSENT_TYPE && String((d as { id?: unknown }).id).toLowerCase() === consentRequestId.toLowerCase(),
  ) as { from?: unknown } | undefined;
  const from = typeof entry?.from === 'string' ? entry.from : '';
  const match = /^urn:altinn:person:identifier-no:(\d{11})$/.exec(from);
  return match ? match[1] : '';
}
