import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { AuditActor, AuditService } from '../audit/audit.service';
import { Caller, customerNationalId, isCustomer } from '../auth/caller';
import { DataCipher, NationalIdHasher } from '../common/crypto/data-cipher';
import { uuidV5 } from '../common/crypto/uuid-v5';
import { AppError } from '../common/problem';
import type { ConsentEntity } from '../database/entities/consent.entity';
import { ConsentResponseDto, RegisterConsentRequestDto } from './consent.dto';
import { toConsentResponse } from './consent.mapper';
import { ConsentRepository, isUniqueViolation } from './consent.repository';
import { fingerprintOf, IDEMPOTENCY_KEY_PATTERN, idempotencyScope, IdempotencyStore } from './idempotency.store';

/** Contract: an `accounts` consent lasts 1–180 days. */
export const ACCOUNTS_MAX_DURATION_DAYS = 180;
export const ACCOUNTS_SCOPE = 'accounts';
const DAY_MS = 86_400_000;
/** Ours, fixed for good: the id of a keyed accounts registration is derived under it. */
const ACCOUNTS_CONSENT_ID_NAMESPACE = '8f0b7c1e-4d2a-4c55-9a61-2b7e0d9f3c48';

/** The DataCipher context of a consent's national id: the ciphertext only decrypts for this consent. */
export function nationalIdContext(consentId: string): string {
  return `consent:${consentId}:national-id`;
}

interface AccountsRegistration {
  caller: Caller;
  nationalId: string;
  nationalIdHash: string;
  durationDays: number;
  clientConsentId: string | null;
  actor: AuditActor;
}

/**
 * `accounts` consents captured in the bank's own channel: recorded here only (the partner bank
 * has no consent of its own for us; it trusts that we authenticated the customer), so only a
 * customer token may register one. The national id is kept encrypted, bound to the consent id, as
 * every partner-bank call needs it in PSU-ID.
 *
 * Order of checks: the body's fields (400), then customer presence (403 CUSTOMER_PRESENCE_REQUIRED),
 * then the customer's own national id (403 FORBIDDEN) — as for debt, where the caller's right to
 * act for the customer is checked after the input.
 */
@Injectable()
export class AccountsConsentRegistration {
  private readonly logger = new Logger(AccountsConsentRegistration.name);

  constructor(
    private readonly consents: ConsentRepository,
    private readonly idempotency: IdempotencyStore,
    private readonly audit: AuditService,
    private readonly hasher: NationalIdHasher,
    private readonly cipher: DataCipher,
  ) {}

  async register(caller: Caller, dto: RegisterConsentRequestDto, idempotencyKey: string | undefined, actor: AuditActor): Promise<ConsentResponseDto> {
    if (dto.purpose !== undefined && dto.purpose !== 'processing') {
      throw AppError.validation([{ field: 'purpose', message: 'must be processing (or absent) for accounts' }]);
    }
    if (dto.durationDays > ACCOUNTS_MAX_DURATION_DAYS) {
      throw AppError.validation([{ field: 'durationDays', message: `must be at most ${ACCOUNTS_MAX_DURATION_DAYS} for accounts` }]);
    }
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey)) {
      throw AppError.validation([{ field: 'Idempotency-Key', message: 'must be 1–255 printable ASCII characters without spaces' }]);
    }
    if (!isCustomer(caller)) {
      throw new AppError('CUSTOMER_PRESENCE_REQUIRED', 'An accounts consent can only be registered with the customer\'s own token: the partner bank relies on us having authenticated the customer.');
    }
    const nationalId = customerNationalId(caller, dto.nationalId, true);
    const nationalIdHash = this.hasher.hash(nationalId);
    const request: AccountsRegistration = { caller, nationalId, nationalIdHash, durationDays: dto.durationDays, clientConsentId: dto.clientConsentId ?? null, actor };
    if (idempotencyKey === undefined) return this.record(request, randomUUID());

    const scope = idempotencyScope(caller.clientId, nationalIdHash);
    // Names the dataset (and has another length than debt's), so a debt body and an accounts body never match.
    const fingerprint = fingerprintOf(['accounts', nationalIdHash, 'processing', dto.durationDays, dto.clientConsentId ?? null]);
    const start = await this.idempotency.begin(scope, idempotencyKey, fingerprint);
    if (start.kind === 'mismatch') throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with another request body.');
    if (start.kind === 'in_progress') throw new AppError('IDEMPOTENCY_IN_PROGRESS', 'A request with this Idempotency-Key is still in progress; retry shortly.', { headers: { 'retry-after': '1' } });
    if (start.kind === 'replay') return start.body as ConsentResponseDto;
    // Derived from the key and the body: a retry whose first answer was lost (recorded, but the
    // key's answer not stored) finds the same row instead of recording a second consent.
    const consentId = uuidV5(`${scope}\n${idempotencyKey}\n${fingerprint}`, ACCOUNTS_CONSENT_ID_NAMESPACE);
    try {
      const body = await this.record(request, consentId);
      await this.idempotency.complete(scope, idempotencyKey, fingerprint, 201, body);
      return body;
    } catch (error) {
      // Nothing upstream to remember: the key may be used again.
      await this.idempotency.abandon(scope, idempotencyKey).catch((cause: unknown) => this.logger.warn({ err: cause }, 'Idempotency-Key record not freed after a failed registration'));
      throw error;
    }
  }

  /** The consent and its audit row in one transaction; our own id is the provider's consent id. */
  private async record(request: AccountsRegistration, consentId: string): Promise<ConsentResponseDto> {
    const { caller, actor, durationDays } = request;
    const secretCiphertext = await this.cipher.encrypt(request.nationalId, nationalIdContext(consentId));
    try {
      const consent = await this.consents.transaction(async (manager) => {
        const row = await this.consents.insert(
          {
            id: consentId,
            provider: 'openbanking',
            dataset: 'accounts',
            providerConsentId: consentId,
            clientConsentId: request.clientConsentId,
            purpose: 'processing',
            scope: ACCOUNTS_SCOPE,
            durationDays,
            source: 'agreement',
            status: 'active',
            nationalIdHash: request.nationalIdHash,
            secretCiphertext,
            createdBy: caller.clientId,
            expiresAt: new Date(Date.now() + durationDays * DAY_MS),
          },
          manager,
        );
        await this.audit.record({ action: 'consent.registered', actor, outcome: 'success', dataset: 'accounts', consentId: row.id, detail: { purpose: 'processing', durationDays } }, manager);
        return row;
      });
      return toConsentResponse(consent);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // The same keyed registration, recorded by an earlier attempt whose answer was lost.
      const existing = await this.consents.findById(consentId);
      if (existing && isSameRegistration(existing, request)) return toConsentResponse(existing);
      throw new AppError('CONSENT_CONFLICT', 'A consent with this clientConsentId is already registered.');
    }
  }
}

function isSameRegistration(row: ConsentEntity, request: AccountsRegistration): boolean {
  return (
    row.dataset === 'accounts' &&
    row.source === 'agreement' &&
    row.createdBy === request.caller.clientId &&
    row.nationalIdHash === request.nationalIdHash &&
    row.durationDays === request.durationDays &&
    row.clientConsentId === request.clientConsentId
  );
}
