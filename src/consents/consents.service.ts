import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditActor, AuditService, SYSTEM_ACTOR } from '../audit/audit.service';
import { Caller, customerMayAccess, customerNationalId, isCustomer } from '../auth/caller';
import { NationalIdHasher } from '../common/crypto/data-cipher';
import { isValidNationalId } from '../common/national-id';
import { AppError } from '../common/problem';
import { ConsentEntity, type ConsentStatus } from '../database/entities/consent.entity';
import type { DebtInformationDto } from '../providers/nogi/debt.dto';
import { toDebtResponse } from '../providers/nogi/debt.mapper';
import { NogiDebtClient, NogiInvalidConsentError, type InvalidConsentReason } from '../providers/nogi/nogi-debt.client';
import { decodeCursor, encodeCursor } from './consent-cursor';
import { ConsentListResponseDto, ConsentResponseDto, ListConsentsQueryDto } from './consent.dto';
import { effectiveStatus, toConsentResponse } from './consent.mapper';
import { ConsentRepository, type NewConsent } from './consent.repository';
import { RevocationOutboxRepository } from './revocation-outbox.repository';
import { firstRetryAt } from './revocation-backoff';

/** Statuses in which a consent can no longer disclose debt. */
const ENDED: readonly ConsentStatus[] = ['expired', 'revoked', 'archived', 'revoking'];

export type RevokeResult = { status: 204 } | { status: 202; body: ConsentResponseDto };

/** Consent administration (list, read, revoke) and debt by consent; registering is ConsentRegistrationService. */
@Injectable()
export class ConsentsService {
  private readonly logger = new Logger(ConsentsService.name);

  constructor(
    private readonly consents: ConsentRepository,
    private readonly outbox: RevocationOutboxRepository,
    private readonly debt: NogiDebtClient,
    private readonly audit: AuditService,
    private readonly hasher: NationalIdHasher,
  ) {}

  // ---- read ----

  async list(caller: Caller, nationalIdHeader: string | undefined, query: ListConsentsQueryDto, actor: AuditActor): Promise<ConsentListResponseDto> {
    if (nationalIdHeader !== undefined && !isValidNationalId(nationalIdHeader)) {
      throw AppError.validation([{ field: 'X-National-Id', message: 'must be an 11-digit national identity number with valid check digits' }]);
    }
    const nationalId = customerNationalId(caller, nationalIdHeader, !caller.scopes.has('consent:admin'));
    const nationalIdHash = nationalId === undefined ? undefined : this.hasher.hash(nationalId);
    await this.expire(await this.consents.expireDue({ nationalIdHash }), actor);
    const limit = query.limit ?? 20;
    const { items, cursors } = await this.consents.list({
      nationalIdHash,
      status: query.status,
      purpose: query.purpose,
      dataset: query.dataset,
      provider: query.provider,
      after: query.cursor !== undefined ? decodeCursor(query.cursor) : undefined,
      limit: limit + 1,
    });
    const page = items.slice(0, limit);
    return { items: page.map(toConsentResponse), nextCursor: items.length > limit ? encodeCursor(cursors[limit - 1]) : null };
  }

  async get(caller: Caller, id: string, refresh: boolean, actor: AuditActor): Promise<ConsentResponseDto> {
    let consent = await this.findForCaller(caller, id);
    if (refresh) consent = await this.refresh(consent, actor);
    return toConsentResponse(await this.expireIfDue(consent, actor));
  }

  /** NoGi's view (`/status`: active, expires_at in epoch seconds) applied to our record. */
  private async refresh(consent: ConsentEntity, actor: AuditActor): Promise<ConsentEntity> {
    // Only NoGi has a status endpoint so far; the other providers' re-checks come with them.
    if (consent.provider !== 'nogi') return consent;
    let status;
    try {
      status = await this.debt.status(consent.providerConsentId, actor.requestId ?? undefined);
    } catch (error) {
      // NoGi's 403 `invalid consent` (as on the debt route): the consent is over at NoGi.
      if (!(error instanceof NogiInvalidConsentError)) throw error;
      await this.end(consent, endedStatus(error.reason, consent), actor, `nogi_${error.reason}`);
      return (await this.consents.findById(consent.id))!;
    }
    if (status.active) {
      if (status.expiresAt.getTime() > 0 && status.expiresAt.getTime() !== consent.expiresAt?.getTime()) await this.consents.update(consent.id, { expiresAt: status.expiresAt });
    } else if (consent.status === 'active') {
      const ended = status.expiresAt.getTime() > 0 && status.expiresAt <= new Date() ? 'expired' : consent.durationDays === null ? 'expired' : 'archived';
      await this.end(consent, ended, actor, 'nogi_status');
    }
    return (await this.consents.findById(consent.id))!;
  }

  // ---- revoke ----

  async revoke(caller: Caller, id: string, actor: AuditActor): Promise<RevokeResult> {
    // A customer withdraws their own consent with consent:write; services need consent:admin. The
    // scope is checked before the lookup, so a 403 or 404 tells a service nothing about the id.
    if (!isCustomer(caller) && !caller.scopes.has('consent:admin')) {
      throw new AppError('INSUFFICIENT_SCOPE', 'Revoking a consent needs the scope consent:admin.', { headers: { 'www-authenticate': 'Bearer error="insufficient_scope", scope="consent:admin"' } });
    }
    const consent = await this.findForCaller(caller, id);
    const current = await this.expireIfDue(consent, actor);
    if (current.status === 'revoking') return { status: 202, body: toConsentResponse(current) };
    // Already over (revoked by us, expired, archived at NoGi): nothing left to tell NoGi.
    if (current.status !== 'active') return { status: 204 };
    const outcome = await this.revokeAtNogiOrQueue(current, actor);
    if (outcome === 'revoked') return { status: 204 };
    return { status: 202, body: toConsentResponse((await this.consents.findById(current.id))!) };
  }

  /**
   * Revokes at NoGi now, or, when NoGi cannot confirm (network, 5xx, anything unexpected), writes
   * the revocation durably (status `revoking` + outbox row, one transaction) for the worker.
   */
  async revokeAtNogiOrQueue(consent: ConsentEntity, actor: AuditActor): Promise<'revoked' | 'queued'> {
    let confirmed: 'revoked' | 'already_invalid';
    try {
      confirmed = await this.debt.revoke(consent.providerConsentId, actor.requestId ?? undefined);
    } catch (error) {
      this.logger.warn({ consentId: consent.id, code: outcomeOf(error) }, 'NoGi did not confirm a revocation; queued for retry');
      await this.consents.transaction(async (manager) => {
        await this.consents.transition(consent.id, ['active', 'revoking', 'expired'], { status: 'revoking' }, manager);
        await this.outbox.enqueue(manager, consent.id, consent.providerConsentId, firstRetryAt());
        await this.audit.record({ action: 'consent.revocation_queued', actor, outcome: outcomeOf(error), consentId: consent.id }, manager);
      });
      return 'queued';
    }
    await this.consents.transaction((manager) => this.recordRevoked(consent.id, confirmed, actor, manager));
    return 'revoked';
  }

  /**
   * NoGi confirmed (204) or said the consent is already invalid (final): the consent is revoked.
   * Audited only when the row changed (one change, one audit row): a concurrent DELETE or the feed
   * may have recorded the revocation first.
   */
  async recordRevoked(consentId: string, confirmed: 'revoked' | 'already_invalid', actor: AuditActor, manager: EntityManager): Promise<void> {
    if (!(await this.consents.transition(consentId, ['active', 'revoking', 'expired', 'archived'], { status: 'revoked', revokedAt: new Date() }, manager))) return;
    await this.audit.record({ action: 'consent.revoked', actor, outcome: 'success', consentId, detail: { nogi: confirmed } }, manager);
  }

  // ---- debt by consent ----

  async debtByConsent(caller: Caller, id: string, actor: AuditActor): Promise<DebtInformationDto> {
    const found = await this.findForCaller(caller, id);
    if (found.dataset !== 'debt') {
      await this.audit.record({ action: 'consent.debt_read', actor, outcome: 'dataset_mismatch', consentId: found.id });
      throw new AppError('DATASET_MISMATCH', `The consent is for ${found.dataset}, not debt.`);
    }
    const consent = await this.expireIfDue(found, actor);
    const disclosed = (outcome: string) => this.audit.record({ action: 'consent.debt_read', actor, outcome, consentId: consent.id });
    if (ENDED.includes(consent.status)) {
      await disclosed('consent_not_active');
      throw notActive();
    }
    let debt;
    try {
      debt = await this.debt.getDebt(consent.providerConsentId, actor.requestId ?? undefined);
    } catch (error) {
      if (error instanceof NogiInvalidConsentError) {
        await this.end(consent, endedStatus(error.reason, consent), actor, `nogi_${error.reason}`);
        await disclosed('consent_not_active');
        throw notActive();
      }
      await disclosed(outcomeOf(error));
      throw error;
    }
    const ssnHash = typeof debt.ssn === 'string' && isValidNationalId(debt.ssn) ? this.hasher.hash(debt.ssn) : null;
    // Consents learnt from the feed have no customer yet: the first collection tells us who it is.
    if (ssnHash === null || (consent.nationalIdHash !== null && ssnHash !== consent.nationalIdHash)) {
      await disclosed('identity_mismatch');
      throw new AppError('IDENTITY_MISMATCH', "NoGi's answer does not belong to this consent's customer; nothing was disclosed.");
    }
    let disclosure: DebtInformationDto;
    try {
      // Mapped before the use is recorded: an answer we cannot represent is a failed read.
      disclosure = toDebtResponse(debt, consent.id);
    } catch (error) {
      await disclosed(outcomeOf(error));
      throw error;
    }
    const now = new Date();
    if (consent.durationDays === null && consent.source !== 'external') {
      await this.consents.transaction(async (manager) => {
        await this.consents.update(consent.id, { lastUsedAt: now, ...(consent.nationalIdHash === null ? { nationalIdHash: ssnHash } : {}) }, manager);
        // NoGi's default consent allows one collection: used means over.
        await this.consents.transition(consent.id, ['active'], { status: 'expired' }, manager);
        await this.audit.record({ action: 'consent.expired', actor, outcome: 'success', consentId: consent.id, detail: { reason: 'used' } }, manager);
        await this.audit.record({ action: 'consent.debt_read', actor, outcome: 'success', consentId: consent.id }, manager);
      });
    } else {
      await this.consents.recordDebtRead(consent.id, now, ssnHash, actor);
    }
    return disclosure;
  }

  // ---- discard ----

  /**
   * A consent NoGi granted that we cannot keep (another person's data, an answer we cannot
   * represent): recorded `revoking`, without a customer, with its revocation queued (due now) and
   * audited, all in one transaction, before anyone calls NoGi; the outbox worker delivers it. Once
   * committed, no crash can lose the revocation, and a `revoking` consent is never used or bound to
   * whoever reads it first.
   */
  async recordForRevocation(values: Omit<NewConsent, 'status' | 'nationalIdHash'>, actor: AuditActor, reason: string): Promise<ConsentEntity> {
    return this.consents.transaction(async (manager) => {
      const row = await this.consents.insert({ ...values, status: 'revoking', nationalIdHash: null }, manager);
      // A row the feed learnt first and saw ended stays ended: nothing is left to revoke at NoGi.
      if (row.status === 'revoking') await this.outbox.enqueue(manager, row.id, row.providerConsentId, new Date());
      await this.audit.record({ action: 'consent.revocation_queued', actor, outcome: reason, consentId: row.id }, manager);
      return row;
    });
  }

  // ---- expiry ----

  /** The periodic sweep: every active consent whose time has passed becomes expired. */
  async sweepExpired(): Promise<number> {
    const ids = await this.consents.expireDue();
    await this.expire(ids, SYSTEM_ACTOR('consent-expiry'));
    return ids.length;
  }

  private async expireIfDue(consent: ConsentEntity, actor: AuditActor): Promise<ConsentEntity> {
    if (effectiveStatus(consent) === consent.status) return consent;
    const ids = await this.consents.expireDue({ id: consent.id });
    await this.expire(ids, actor);
    return (await this.consents.findById(consent.id))!;
  }

  private async expire(ids: string[], actor: AuditActor): Promise<void> {
    for (const consentId of ids) await this.audit.record({ action: 'consent.expired', actor, outcome: 'success', consentId, detail: { reason: 'time' } });
  }

  private async end(consent: ConsentEntity, status: 'expired' | 'archived', actor: AuditActor, reason: string): Promise<void> {
    await this.consents.transaction(async (manager) => {
      if (await this.consents.transition(consent.id, ['active'], { status }, manager)) {
        await this.audit.record({ action: status === 'expired' ? 'consent.expired' : 'consent.archived', actor, outcome: 'success', consentId: consent.id, detail: { reason } }, manager);
      }
    });
  }

  /** Object-level rule: a customer token sees only that customer's consents; others are 404. */
  private async findForCaller(caller: Caller, id: string): Promise<ConsentEntity> {
    const consent = await this.consents.findById(id);
    if (!consent || !customerMayAccess(caller, consent.nationalIdHash, (nid) => this.hasher.hash(nid))) {
      throw new AppError('CONSENT_NOT_FOUND', 'No consent with this id.');
    }
    return consent;
  }
}

function notActive(): AppError {
  return new AppError('CONSENT_NOT_ACTIVE', 'The consent has expired, been used or been revoked; ask the customer for a new one.');
}

function endedStatus(reason: InvalidConsentReason, consent: ConsentEntity): 'expired' | 'archived' {
  // Revoked at NoGi by someone other than us (e.g. at norskgjeld.no) shows as archived (contract).
  if (reason === 'revoked') return 'archived';
  return consent.expiresAt !== null && consent.expiresAt > new Date() && reason === 'not_found' ? 'archived' : 'expired';
}

/** A lower_snake outcome for the audit trail: our problem code, never an upstream body. */
export function outcomeOf(error: unknown): string {
  return error instanceof AppError ? error.code.toLowerCase() : 'internal_error';
}
