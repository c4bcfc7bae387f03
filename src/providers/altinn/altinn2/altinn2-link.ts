import { Altinn2Service } from './altinn2-services';
import { formatOsloDateTime } from './oslo-time';

export type Altinn2LanguageCode = 'nb-NO' | 'nn-NO' | 'en';
export type Altinn2Dataset = 'tax-assessment' | 'income';

export interface Altinn2LinkRequest {
  /** ALTINN2_URL, without a trailing slash. */
  altinn2Url: string;
  service: Altinn2Service;
  /** The consent text's parameters by name, e.g. `{ inntektsaar: '2024' }`. */
  metadata: Record<string, string>;
  /** ALTINN_ORG_NUMBER. */
  coveredBy: string;
  /** ALTINN_REDIRECT_URI; the one-time `state` is added to its query. */
  redirectUri: string;
  state: string;
  validTo: Date;
  delegationContext: string;
  languageCode?: Altinn2LanguageCode;
}

/**
 * Altinn 2's link-based consent request (`/ui/AccessConsent/`) with every parameter of Altinn's
 * document: `Resources` (`code;edition`), `CoveredBy`, `RedirectUrl`, `ValidToDate` in Norwegian
 * local time, `LanguageCode`, `DelegationContext`, `ResponseType=code` and `Metadata`
 * (`code_edition_name;value`, comma-separated). Values are percent-encoded (a space is %20, as in
 * Altinn's examples), except the `;` `,` `:` Altinn's own examples write literally in `Resources`,
 * `Metadata` and `ValidToDate` (legal in a query, RFC 3986 §3.4).
 */
export function buildAltinn2ConsentLink(req: Altinn2LinkRequest): string {
  const redirect = new URL(req.redirectUri);
  redirect.searchParams.set('state', req.state);
  const { code, edition } = req.service;
  const metadata = Object.entries(req.metadata).map(([name, value]) => `${code}_${edition}_${name};${value}`);
  const params: Array<[string, string, boolean]> = [
    ['Resources', `${code};${edition}`, true],
    ['CoveredBy', req.coveredBy, false],
    ['RedirectUrl', redirect.toString(), false],
    ['ValidToDate', formatOsloDateTime(req.validTo), true],
    ['LanguageCode', req.languageCode ?? 'nb-NO', false],
    ['DelegationContext', req.delegationContext, false],
    ['ResponseType', 'code', false],
  ];
  if (metadata.length > 0) params.push(['Metadata', metadata.join(','), true]);
  const query = params.map(([name, value, keepDelimiters]) => `${name}=${keepDelimiters ? encodeKeepingDelimiters(value) : encodeURIComponent(value)}`).join('&');
  return `${req.altinn2Url}/ui/AccessConsent/?${query}`;
}

function encodeKeepingDelimiters(value: string): string {
  return encodeURIComponent(value).replace(/%3B/gi, ';').replace(/%2C/gi, ',').replace(/%3A/gi, ':');
}

/** Shown on Altinn's consent page when the bank gave no message (DelegationContext is mandatory). */
export const DEFAULT_DELEGATION_CONTEXT: Record<Altinn2Dataset, string> = {
  'tax-assessment':
    'Ved å samtykke gir du Skatteetaten rett til å utlevere ditt summerte skattegrunnlag til banken. Formålet er å gi banken nødvendig informasjon for å behandle søknaden din. Å avgi samtykke er frivillig.',
  income:
    'Ved å samtykke gir du Skatteetaten rett til å utlevere opplysninger om inntekten din til banken. Formålet er å gi banken nødvendig informasjon for å behandle søknaden din. Å avgi samtykke er frivillig.',
};

export interface Altinn2DatasetParameters {
  /** tax-assessment: the income year. */
  incomeYear?: number;
  /** income: `YYYY-MM`. */
  fromMonth?: string;
  toMonth?: string;
  /** The bank's message to the customer, when it gave one. */
  message?: string;
}

/**
 * The service, metadata and DelegationContext of a dataset: `inntektsaar` for the tax assessment,
 * `fraOgMed`/`tilOgMed` for income (Skatteetaten's Altinn 2 parameter names, contract notes §3).
 */
export function altinn2ConsentFor(
  dataset: Altinn2Dataset,
  resources: Record<Altinn2Dataset, Altinn2Service>,
  params: Altinn2DatasetParameters,
): { service: Altinn2Service; metadata: Record<string, string>; delegationContext: string } {
  const delegationContext = params.message ?? DEFAULT_DELEGATION_CONTEXT[dataset];
  if (dataset === 'tax-assessment') {
    if (params.incomeYear === undefined) throw new RangeError('tax-assessment needs an incomeYear');
    return { service: resources[dataset], metadata: { inntektsaar: String(params.incomeYear) }, delegationContext };
  }
  if (!params.fromMonth || !params.toMonth) throw new RangeError('income needs fromMonth and toMonth');
  return { service: resources[dataset], metadata: { fraOgMed: params.fromMonth, tilOgMed: params.toMonth }, delegationContext };
}
