import { isValidNationalId } from '../../../common/national-id';
import {
  CONSENT_EVENT_TYPES,
  CONSENT_STATUSES,
  type ConsentEventType,
  type ConsentRequestStatus,
  type ConsentRight,
  type CreateConsentRequest,
  ORGANIZATION_URN_PREFIX,
  PERSON_URN_PREFIX,
  SKATTEETATEN_RESOURCES,
} from './consent-request.types';

/** Altinn writes `Accepted` in details and `accepted` in the feed (notes 1.5): compare without case. */
export function toConsentStatus(value: unknown): ConsentRequestStatus | undefined {
  if (typeof value !== 'string') return undefined;
  const lower = value.toLowerCase();
  return (CONSENT_STATUSES as readonly string[]).includes(lower) ? (lower as ConsentRequestStatus) : undefined;
}

export function toEventType(value: unknown): ConsentEventType | undefined {
  if (typeof value !== 'string') return undefined;
  const lower = value.toLowerCase();
  return (CONSENT_EVENT_TYPES as readonly string[]).includes(lower) ? (lower as ConsentEventType) : undefined;
}

/** Summert skattegrunnlag for one income year. */
export function taxAssessmentRight(incomeYear: number): ConsentRight {
  return { resource: SKATTEETATEN_RESOURCES.taxAssessment, metadata: { inntektsaar: String(incomeYear) } };
}

/** Inntekt per month, `YYYY-MM` to `YYYY-MM` (values as the flow takes them: [I] the format Skatteetaten's API uses). */
export function incomeRight(fromMonth: string, toMonth: string): ConsentRight {
  return { resource: SKATTEETATEN_RESOURCES.income, metadata: { fraogmed: fromMonth, tilogmed: toMonth } };
}

/** `2026-07-18T06:18:12+00:00`: seconds, an explicit offset (notes 1.2). */
export function formatValidTo(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

export function personUrn(nationalId: string): string {
  return `${PERSON_URN_PREFIX}${nationalId}`;
}

export function organizationUrn(orgNumber: string): string {
  return `${ORGANIZATION_URN_PREFIX}${orgNumber}`;
}

/**
 * The POST body, exactly ConsentRequestDto (notes 1.2): one right with `metadata` (not the docs'
 * `metaData`), `requestMessage` only with a message. [I] The message goes under `nb`: the map is
 * language → text and our customers read Norwegian bokmål; Altinn shows it as given.
 */
export function consentRequestBody(input: CreateConsentRequest, orgNumber: string): Record<string, unknown> {
  if (!isValidNationalId(input.nationalId)) throw new RangeError('nationalId must be a valid national identity number');
  return {
    id: input.id,
    from: personUrn(input.nationalId),
    to: organizationUrn(orgNumber),
    validTo: formatValidTo(input.validTo),
    consentRights: [
      {
        action: ['consent'],
        resource: [{ type: 'urn:altinn:resource', value: input.right.resource }],
        metadata: { ...input.right.metadata },
      },
    ],
    ...(input.message !== undefined ? { requestMessage: { nb: input.message } } : {}),
    redirectUrl: input.redirectUrl,
  };
}

/** A property by name without regard to letter case: the 200 answer to a re-POST may not share the 201's mapper (notes 1.4). */
export function field(obj: unknown, name: string): unknown {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
  const record = obj as Record<string, unknown>;
  if (name in record) return record[name];
  const lower = name.toLowerCase();
  const key = Object.keys(record).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : record[key];
}

/** A party as a URN string, or `{type, value}` joined into one. */
export function partyUrn(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  const type = field(value, 'type');
  const id = field(value, 'value');
  return typeof type === 'string' && typeof id === 'string' ? `${type}:${id}` : undefined;
}

export function parseDate(value: unknown): Date | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** The rights of a request, leniently: metadata keys lower-cased, values as strings. */
export function parseRights(value: unknown): ConsentRight[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const rights: ConsentRight[] = [];
  for (const right of value) {
    const resources = field(right, 'resource');
    const first: unknown = Array.isArray(resources) ? resources[0] : resources;
    const resource = field(first, 'value');
    if (typeof resource !== 'string') return undefined;
    const metadata: Record<string, string> = {};
    const raw = field(right, 'metadata');
    if (raw !== null && typeof raw === 'object') {
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) if (v !== null && v !== undefined) metadata[k.toLowerCase()] = String(v);
    }
    rights.push({ resource, metadata });
  }
  return rights;
}
