import { randomUUID } from 'node:crypto';
import { isDebtScope, MAX_DURATION_DAYS } from './auth-scope';
import { isValidNationalId } from '../../../common/national-id';
import type { ConsentOrigin, ConsentView, CreateConsentInput, SandboxConsent } from './nogi-sandbox.types';

export const DEFAULT_CONSENT_TTL_MS = 10 * 60_000;
const DAY_MS = 24 * 3_600_000;

/** Throws a RangeError naming what NoGi would refuse in a consent. */
export function checkConsentInput(input: CreateConsentInput): void {
  if (!isValidNationalId(input.nationalId)) throw new RangeError('invalid nationalId');
  if (!isDebtScope(input.scope)) throw new RangeError('invalid scope');
  if (input.durationDays !== undefined && !(Number.isInteger(input.durationDays) && input.durationDays >= 1 && input.durationDays <= MAX_DURATION_DAYS[input.scope])) {
    throw new RangeError(`durationDays must be 1-${MAX_DURATION_DAYS[input.scope]}`);
  }
}

/** A consent as NoGi grants it: without a duration, single use within 10 minutes. */
export function newConsent(input: CreateConsentInput, origin: ConsentOrigin, now: number): SandboxConsent {
  return {
    id: randomUUID(),
    clientId: input.clientId,
    nationalId: input.nationalId,
    scope: input.scope,
    origin,
    createdAt: now,
    expiresAt: input.durationDays === undefined ? now + DEFAULT_CONSENT_TTL_MS : now + input.durationDays * DAY_MS,
    singleUse: input.durationDays === undefined,
    used: false,
    durationDays: input.durationDays,
    externalConsentId: input.externalConsentId,
    archivedEventEmitted: false,
  };
}

/** The consent as tests and the control routes see it (times as ISO strings). */
export function consentView(c: SandboxConsent, active: boolean): ConsentView {
  return {
    id: c.id,
    clientId: c.clientId,
    nationalId: c.nationalId,
    scope: c.scope,
    origin: c.origin,
    createdAt: new Date(c.createdAt).toISOString(),
    expiresAt: new Date(c.expiresAt).toISOString(),
    singleUse: c.singleUse,
    used: c.used,
    ...(c.durationDays !== undefined ? { durationDays: c.durationDays } : {}),
    ...(c.externalConsentId !== undefined ? { externalConsentId: c.externalConsentId } : {}),
    ...(c.revokedAt !== undefined ? { revokedAt: new Date(c.revokedAt).toISOString(), revokedBy: c.revokedBy } : {}),
    active,
  };
}
