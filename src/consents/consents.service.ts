import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditActor, AuditService, SYSTEM_ACTOR } from '../audit/audit.service';
import { Caller, customerMayAccess, customerNationalId, isCustomer } from '../auth/caller';
import { NationalIdHasher } from '../common/crypto/data-cipher';
import { isValidNationalId } from '../common/national-id';
import { AppError } from '../common/problem';
import { ConsentEntity, type ConsentStatus } from '../database/entities/consent.entity';
import type { Dataset } from '../providers/datasets';
import { ProviderRegistry } from '../providers/provider-registry';
import { decodeCursor, encodeCursor } from './consent-cursor';
import { ConsentListResponseDto, ConsentResponseDto, ListConsentsQueryDto } from './consent.dto';
import { effectiveStatus, toConsentResponse } from './consent.mapper';
import { ConsentRepository, type NewConsent } from './consent.repository';
import { RevocationOutboxRepository } from './revocation-outbox.repository';
import { firstRetryAt } from './revocation-backoff';

export type RevokeResult = { status: 204 } | { status: 202; body: ConsentResponseDto };

/** Consent administration (list, read, revoke, expiry); registering is ConsentRegistrationService, data reads ConsentDataService. */
@Injectable()
export class ConsentsService {
  private readonly logger = new Logger(ConsentsService.name);

  constructor(
    private readonly consents: ConsentRepository,
    private readonly outbox: RevocationOutboxRepository,
    private readonly registry: ProviderRegistry,
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

  /** The provider's view applied to our record, where the provider has a status (NoGi). */
  private async refresh(consent: ConsentEntity, actor: AuditActor): Promise<ConsentEntity> {
    const provider = this.registry.of(consent.provider);
    if (!provider.status) return consent;
    const status = await provider.status(consent, actor.requestId ?? undefined);
    if (status.active) {
      if (status.expiresAt && status.expiresAt.getTime() !== consent.expiresAt?.getTime()) await this.consents.update(consent.id, { expiresAt: status.expiresAt });
    } else {
      await this.end(consent, status.ended, actor, status.reason);
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
    // Already over (revoked by us, expired, archived at the provider): nothing left to tell anyone.
    if (current.status !== 'active') return { status: 204 };
    // Altinn and the partner bank have no revocation for us: ours is recorded at once and final.
    if (!this.registry.of(current.provider).revoke) {
      await this.consents.transaction((manager) => this.recordRevoked(current, 'local', actor, manager));
      return { status: 204 };
    }
    const outcome = await this.revokeAtProviderOrQueue(current, actor);
    if (outcome === 'revoked') return { status: 204 };
    return { status: 202, body: toConsentResponse((await this.consents.findById(current.id))!) };
  }

  /**
   * Revokes at the provider now, or, when it cannot confirm (network, 5xx, anything unexpected),
   * writes the revocation durably (status `revoking` + outbox row, one transaction) for the worker.
   */
  async revokeAtProviderOrQueue(consent: ConsentEntity, actor: AuditActor): Promise<'revoked' | 'queued'> {
    const provider = this.registry.of(consent.provider);
    let confirmed: 'revoked' | 'already_invalid';
    try {
      confirmed = await provider.revoke!(consent.providerConsentId, actor.requestId ?? undefined);
    } catch (error) {
      this.logger.warn({ consentId: consent.id, provider: consent.provider, code: outcomeOf(error) }, 'The provider did not confirm a revocation; queued for retry');
      await this.consents.transaction(async (manager) => {
        await this.consents.transition(consent.id, ['active', 'revoking', 'expired'], { status: 'revoking' }, manager);
        await this.outbox.enqueue(manager, consent.id, consent.providerConsentId, firstRetryAt(), consent.provider);
        await this.audit.record({ action: 'consent.revocation_queued', actor, outcome: outcomeOf(error), dataset: consent.dataset, consentId: consent.id }, manager);
      });
      return 'queued';
    }
    await this.consents.transaction((manager) => this.recordRevoked(consent, confirmed, actor, manager));
    return 'revoked';
  }

  /**
   * The provider confirmed (204), said the consent is already invalid (final), or has no
   * revocation (`local`): the consent is revoked. Audited only when the row changed (one change,
   * one audit row): a concurrent DELETE or the feed may have recorded the revocation first.
   */
  async recordRevoked(consent: Pick<ConsentEntity, 'id' | 'dataset' | 'provider'>, confirmed: 'revoked' | 'already_invalid' | 'local', actor: AuditActor, manager: EntityManager): Promise<void> {
    if (!(await this.consents.transition(consent.id, ['active', 'revoking', 'expired', 'archived'], { status: 'revoked', revokedAt: new Date() }, manager))) return;
    await this.audit.record({ action: 'consent.revoked', actor, outcome: 'success', dataset: consent.dataset, consentId: consent.id, detail: { [consent.provider]: confirmed } }, manager);
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
      if (row.status === 'revoking') await this.outbox.enqueue(manager, row.id, row.providerConsentId, new Date(), row.provider);
      await this.audit.record({ action: 'consent.revocation_queued', actor, outcome: reason, dataset: row.dataset, consentId: row.id }, manager);
      return row;
    });
  }

  // ---- expiry ----

  /** The periodic sweep: every active consent whose time has passed becomes expired. */
  async sweepExpired(): Promise<number> {
    const expired = await this.consents.expireDue();
    await this.expire(expired, SYSTEM_ACTOR('consent-expiry'));
    return expired.length;
  }

  async expireIfDue(consent: ConsentEntity, actor: AuditActor): Promise<ConsentEntity> {
    if (effectiveStatus(consent) === consent.status) return consent;
    await this.expire(await this.consents.expireDue({ id: consent.id }), actor);
    return (await this.consents.findById(consent.id))!;
  }

  private async expire(expired: Array<{ id: string; dataset: Dataset }>, actor: AuditActor): Promise<void> {
    for (const { id, dataset } of expired) await this.audit.record({ action: 'consent.expired', actor, outcome: 'success', dataset, consentId: id, detail: { reason: 'time' } });
  }

  /** The provider says the consent is over: recorded (when still active) and audited once. */
  async end(consent: ConsentEntity, status: 'expired' | 'archived', actor: AuditActor, reason: string): Promise<void> {
    await this.consents.transaction(async (manager) => {
      if (await this.consents.transition(consent.id, ['active'], { status }, manager)) {
        await this.audit.record({ action: status === 'expired' ? 'consent.expired' : 'consent.archived', actor, outcome: 'success', dataset: consent.dataset, consentId: consent.id, detail: { reason } }, manager);
      }
    });
  }

  /** Object-level rule: a customer token sees only that customer's consents; others are 404. */
  async findForCaller(caller: Caller, id: string): Promise<ConsentEntity> {
    const consent = await this.consents.findById(id);
    if (!consent || !customerMayAccess(caller, consent.nationalIdHash, (nid) => this.hasher.hash(nid))) {
      throw new AppError('CONSENT_NOT_FOUND', 'No consent with this id.');
    }
    return consent;
  }
}

/** A lower_snake outcome for the audit trail: our problem code, never an upstream body. */
export function outcomeOf(error: unknown): string {
  return error instanceof AppError ? error.code.toLowerCase() : 'internal_error';
}
