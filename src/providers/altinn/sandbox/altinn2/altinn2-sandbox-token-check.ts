import { verify } from 'node:crypto';
import { type Altinn2GrantedService, grantedServices } from '../../altinn2/altinn2-services';
import { parseAltinn2Date } from '../../altinn2/oslo-time';
import type { SandboxSigningKey } from './altinn2-sandbox-keys';

export interface Altinn2SandboxTokenCheck {
  offeredBy: string;
  services: Altinn2GrantedService[];
  validTo: Date;
}

const TOLERANCE_SECONDS = 5;

/**
 * What a data source (the Skatteetaten simulator) checks of an Altinn 2 token, synchronously:
 * RS256 by one of the given keys (on `kid` or `x5t`), `iss`, `nbf`/`exp` and `ValidToDate` against
 * `nowMs`. Undefined when any check fails; the caller answers its own consent error.
 */
export function checkConsentToken(jwt: string, keys: readonly SandboxSigningKey[], nowMs: number): Altinn2SandboxTokenCheck | undefined {
  const parts = typeof jwt === 'string' ? jwt.trim().split('.') : [];
  if (parts.length !== 3) return undefined;
  const header = decodeJson(parts[0]);
  const claims = decodeJson(parts[1]);
  if (!header || !claims || header.alg !== 'RS256') return undefined;
  const key = keys.find((k) => (header.kid !== undefined && header.kid === k.kid) || (header.x5t !== undefined && header.x5t === k.x5t));
  if (!key) return undefined;
  const signed = verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), key.publicKeyObject, Buffer.from(parts[2], 'base64url'));
  if (!signed) return undefined;
  const now = nowMs / 1000;
  if (claims.iss !== 'altinn.no' || typeof claims.exp !== 'number' || typeof claims.nbf !== 'number') return undefined;
  if (now >= claims.exp + TOLERANCE_SECONDS || now < claims.nbf - TOLERANCE_SECONDS) return undefined;
  const validTo = parseAltinn2Date(claims.ValidToDate);
  const offeredBy = typeof claims.OfferedBy === 'string' ? claims.OfferedBy : undefined;
  if (!validTo || validTo.getTime() <= nowMs || !offeredBy) return undefined;
  return { offeredBy, services: grantedServices(claims), validTo };
}

function decodeJson(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
