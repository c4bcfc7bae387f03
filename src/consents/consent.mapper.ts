import type { ConsentEntity, ConsentStatus } from '../database/entities/consent.entity';
import type { ConsentResponseDto } from './consent.dto';

/** An active consent whose time has passed reads as expired, even before the record is updated. */
export function effectiveStatus(consent: Pick<ConsentEntity, 'status' | 'expiresAt'>, now = new Date()): ConsentStatus {
  return consent.status === 'active' && consent.expiresAt !== null && consent.expiresAt <= now ? 'expired' : consent.status;
}

/** The one place a consent record becomes a response: never the national id hash or NoGi's id. */
export function toConsentResponse(entity: ConsentEntity): ConsentResponseDto {
  return {
    id: entity.id,
    dataset: entity.dataset,
    provider: entity.provider,
    ...(entity.clientConsentId !== null ? { clientConsentId: entity.clientConsentId } : {}),
    purpose: entity.purpose,
    scope: entity.scope,
    ...(entity.parameters !== null ? { parameters: entity.parameters } : {}),
    status: effectiveStatus(entity),
    source: entity.source,
    createdAt: entity.createdAt.toISOString(),
    expiresAt: entity.expiresAt ? entity.expiresAt.toISOString() : null,
    ...(entity.revokedAt ? { revokedAt: entity.revokedAt.toISOString() } : {}),
    ...(entity.lastUsedAt ? { lastUsedAt: entity.lastUsedAt.toISOString() } : {}),
  };
}
