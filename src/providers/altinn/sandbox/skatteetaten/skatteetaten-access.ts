import { jwtVerify, type JWTPayload } from 'jose';
import { parseServiceEntry } from '../../altinn2/altinn2-services';
import type { SkatteetatenSandbox } from './skatteetaten-sandbox.state';

/** What the asked data needs of a consent: the API's scopes, its Altinn 3 resource and metadata, its Altinn 2 service. */
export interface AccessNeed {
  prefix: 'SSG' | 'IM';
  scopes: readonly string[];
  resource: string;
  /** Does the consent's metadata (names in lower case) cover the asked year or period? */
  metadataCovers: (metadata: Record<string, unknown>) => boolean;
  altinn2Services: readonly string[];
  nationalId: string;
}

export interface AccessRefusal {
  status: number;
  kode: string;
  melding: string;
}

/**
 * Skatteetaten's checks of a call: a Maskinporten token (signature, issuer, expiry) with the
 * API's scope, and a consent for the person in the URL: Altinn 3 in the token's
 * `authorization_details`, or Altinn 2 in the `AltinnSamtykke` header.
 */
export async function checkAccess(sandbox: SkatteetatenSandbox, authorization: string | undefined, altinnSamtykke: string | undefined, need: AccessNeed): Promise<AccessRefusal | undefined> {
  const { prefix } = need;
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!token) return { status: 401, kode: `${prefix}-004`, melding: 'Mangler gyldig token' };
  let claims: JWTPayload;
  try {
    ({ payload: claims } = await jwtVerify(token, sandbox.maskinportenKeys, { issuer: sandbox.maskinportenIssuer, algorithms: ['RS256'], currentDate: new Date(sandbox.now()) }));
  } catch {
    return { status: 401, kode: `${prefix}-004`, melding: 'Ugyldig token' };
  }
  const scopes = typeof claims.scope === 'string' ? claims.scope.split(/\s+/) : [];
  if (!scopes.some((s) => need.scopes.includes(s))) return { status: 403, kode: `${prefix}-005`, melding: 'Mangler tilgang (scope)' };
  const consentRefused = (melding: string): AccessRefusal => ({ status: 403, kode: `${prefix}-010`, melding });

  if (altinnSamtykke !== undefined) {
    const verified = sandbox.altinnSamtykke?.(altinnSamtykke);
    if (!verified) return consentRefused('Ugyldig samtykketoken');
    if (verified.offeredBy !== need.nationalId) return consentRefused('Samtykket gjelder en annen person');
    if (verified.validTo.getTime() <= sandbox.now()) return consentRefused('Samtykket er utløpt');
    // Entries in any of Altinn's forms (`4628_210607`, `4628,210607,inntektsaar=2024`); the service's metadata read together.
    const granted = verified.services.flatMap((entry) => parseServiceEntry(entry) ?? []).filter((s) => need.altinn2Services.includes(`${s.code}_${s.edition}`));
    if (granted.length === 0) return consentRefused('Samtykket gjelder ikke denne tjenesten');
    const metadata: Record<string, string> = {};
    for (const s of granted) for (const [name, value] of Object.entries(s.metadata)) metadata[name.toLowerCase()] = value;
    if (!need.metadataCovers(metadata)) return consentRefused('Samtykket dekker ikke det etterspurte');
    return undefined;
  }

  const details = Array.isArray(claims.authorization_details) ? (claims.authorization_details as Array<Record<string, unknown>>) : [];
  const consent = details.find((d) => d?.type === 'urn:altinn:consent');
  if (!consent) return consentRefused('Mangler samtykke');
  if (consent.from !== `urn:altinn:person:identifier-no:${need.nationalId}`) return consentRefused('Samtykket gjelder en annen person');
  if (typeof consent.validTo !== 'string' || !(Date.parse(consent.validTo) > sandbox.now())) return consentRefused('Samtykket er utløpt');
  const rights = Array.isArray(consent.consentRights) ? (consent.consentRights as Array<Record<string, unknown>>) : [];
  const right = rights.find((r) => Array.isArray(r?.resource) && (r.resource as Array<{ value?: unknown }>).some((x) => x?.value === need.resource));
  if (!right) return consentRefused('Samtykket gjelder ikke denne ressursen');
  const metadata = (right.metadata ?? {}) as Record<string, unknown>;
  if (!need.metadataCovers(metadata)) return consentRefused('Samtykket dekker ikke det etterspurte');
  return undefined;
}
