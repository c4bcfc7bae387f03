import { isValidNationalId } from '../../../../common/national-id';
import { isValidOrgNumber } from '../../org-number';
import { field } from '../../altinn3/consent-request.mapping';
import { ORGANIZATION_URN_PREFIX, PERSON_URN_PREFIX, SKATTEETATEN_RESOURCES } from '../../altinn3/consent-request.types';
import type { StoredRequest, StoredRight } from './altinn3-sandbox.types';

/**
 * The consent resources the simulated Resource Registry knows, with their `consentMetadata` keys
 * and consent template. [I] Both Skatteetaten resources share one template.
 */
export const CONSENT_RESOURCES: Record<string, { metadata: readonly string[]; template: string }> = {
  [SKATTEETATEN_RESOURCES.taxAssessment]: { metadata: ['inntektsaar'], template: 'ske-sbl' },
  [SKATTEETATEN_RESOURCES.income]: { metadata: ['fraogmed', 'tilogmed'], template: 'ske-sbl' },
};

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** An offset is required: `2026-07-18T06:18:12+00:00` or `…Z`. */
const DATE_TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const APP_SCHEME_RE = /^[a-z][a-z0-9+\-.]*$/;

/** ASP.NET's ValidationProblemDetails `errors`: field → messages. */
export type ValidationErrors = Record<string, string[]>;

export interface Parties {
  id: string;
  from: string;
  to: string;
  toOrgNumber: string;
}

/** The id and parties, checked first: the idempotency check and the token's organisation need them. */
export function checkParties(body: unknown, errors: ValidationErrors): Parties | undefined {
  const id = field(body, 'id');
  const from = field(body, 'from');
  const to = field(body, 'to');
  if (typeof id !== 'string' || !UUID_RE.test(id)) add(errors, 'id', 'The id must be a UUID.');
  if (typeof from !== 'string' || !validParty(from)) add(errors, 'from', 'Invalid party: a person with a valid national identity number or an organisation with a valid organisation number.');
  const toOrgNumber = typeof to === 'string' && to.startsWith(ORGANIZATION_URN_PREFIX) ? to.slice(ORGANIZATION_URN_PREFIX.length) : undefined;
  if (toOrgNumber === undefined || !isValidOrgNumber(toOrgNumber)) add(errors, 'to', 'Invalid organisation number.');
  if (Object.keys(errors).length > 0) return undefined;
  return { id: (id as string).toLowerCase(), from: from as string, to: to as string, toOrgNumber: toOrgNumber as string };
}

function validParty(urn: string): boolean {
  if (urn.startsWith(PERSON_URN_PREFIX)) return isValidNationalId(urn.slice(PERSON_URN_PREFIX.length));
  if (urn.startsWith(ORGANIZATION_URN_PREFIX)) return isValidOrgNumber(urn.slice(ORGANIZATION_URN_PREFIX.length));
  return false;
}

/** The rest of ConsentService's rules for a new request (notes 1.3). */
export function checkNewRequest(body: unknown, parties: Parties, now: number, errors: ValidationErrors): Omit<StoredRequest, 'status' | 'events'> | undefined {
  const validToText = field(body, 'validTo');
  const validTo = typeof validToText === 'string' && DATE_TIME_RE.test(validToText) ? Date.parse(validToText) : NaN;
  if (Number.isNaN(validTo)) add(errors, 'validTo', 'validTo must be a date-time with an offset.');
  else if (validTo <= now) add(errors, 'validTo', 'validTo must be in the future.');

  const rights = checkRights(field(body, 'consentRights'), errors);
  const redirectUrl = field(body, 'redirectUrl');
  if (!validRedirectUrl(redirectUrl)) add(errors, 'redirectUrl', 'redirectUrl must be an absolute URI with an allowed scheme.');

  const message = field(body, 'requestMessage');
  let requestMessage: Record<string, string> | undefined;
  if (message !== undefined && message !== null) {
    if (typeof message !== 'object' || Array.isArray(message) || Object.values(message).some((v) => typeof v !== 'string')) add(errors, 'requestMessage', 'requestMessage must map languages to texts.');
    else requestMessage = { ...(message as Record<string, string>) };
  }
  const viewMode = field(body, 'portalViewMode');
  if (viewMode !== undefined && viewMode !== null && !(typeof viewMode === 'string' && /^(hide|show)$/i.test(viewMode))) add(errors, 'portalViewMode', 'portalViewMode must be hide or show.');
  const delegator = field(body, 'requiredDelegator');
  if (delegator !== undefined && delegator !== null && !(typeof delegator === 'string' && validParty(delegator))) add(errors, 'requiredDelegator', 'Invalid party.');

  if (Object.keys(errors).length > 0 || !rights) return undefined;
  return {
    id: parties.id,
    from: parties.from,
    to: parties.to,
    ...(typeof delegator === 'string' ? { requiredDelegator: delegator } : {}),
    validTo,
    consentRights: rights,
    ...(requestMessage ? { requestMessage } : {}),
    redirectUrl: redirectUrl as string,
    portalViewMode: typeof viewMode === 'string' && viewMode.toLowerCase() === 'show' ? 'show' : 'hide',
  };
}

function checkRights(value: unknown, errors: ValidationErrors): StoredRight[] | undefined {
  if (!Array.isArray(value) || value.length === 0) {
    add(errors, 'consentRights', 'At least one consent right is required.');
    return undefined;
  }
  const rights: StoredRight[] = [];
  const templates = new Set<string>();
  value.forEach((right, i) => {
    const at = `consentRights[${i}]`;
    const action = field(right, 'action');
    if (!Array.isArray(action) || action.length === 0 || action.some((a) => typeof a !== 'string' || a === '')) add(errors, `${at}.action`, 'At least one action is required.');
    const resources = field(right, 'resource');
    if (!Array.isArray(resources) || resources.length !== 1) {
      add(errors, `${at}.resource`, 'Exactly one resource is required per right.');
      return;
    }
    const type = field(resources[0], 'type');
    const id = field(resources[0], 'value');
    const known = typeof id === 'string' ? CONSENT_RESOURCES[id] : undefined;
    if (type !== 'urn:altinn:resource' || !known) {
      add(errors, `${at}.resource`, 'The resource is not a consent resource in the Resource Registry.');
      return;
    }
    templates.add(known.template);
    // The DTO binds `metadata` without regard to case ([I] notes 1.2: `metaData` in the docs' example).
    const raw = field(right, 'metadata');
    const metadata: Record<string, string> = {};
    if (raw !== undefined && raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) add(errors, `${at}.metadata`, 'metadata must be an object.');
    for (const [key, v] of Object.entries((raw ?? {}) as Record<string, unknown>)) {
      const k = key.toLowerCase();
      if (!known.metadata.includes(k)) add(errors, `${at}.metadata.${k}`, `Unknown metadata key ${k}.`);
      else if (typeof v !== 'string' || v.trim() === '') add(errors, `${at}.metadata.${k}`, `Metadata ${k} must have a value.`);
      else metadata[k] = v;
    }
    for (const k of known.metadata) if (!Object.keys((raw ?? {}) as object).some((key) => key.toLowerCase() === k)) add(errors, `${at}.metadata.${k}`, `Missing metadata ${k}.`);
    rights.push({ action: action as string[], resource: [{ type, value: id as string }], metadata });
  });
  if (templates.size > 1) add(errors, 'consentRights', 'All resources must share one consent template.');
  return rights;
}

function validRedirectUrl(value: unknown): boolean {
  if (typeof value !== 'string' || value === '') return false;
  try {
    const scheme = new URL(value).protocol.slice(0, -1);
    return scheme === 'http' || scheme === 'https' || APP_SCHEME_RE.test(scheme);
  } catch {
    return false;
  }
}

function add(errors: ValidationErrors, key: string, message: string): void {
  (errors[key] ??= []).push(message);
}
