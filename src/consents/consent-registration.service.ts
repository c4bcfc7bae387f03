import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { AuditActor, AuditService } from '../audit/audit.service';
import { Caller, customerNationalId, isCustomer } from '../auth/caller';
import { NationalIdHasher } from '../common/crypto/data-cipher';
import { AppError } from '../common/problem';
import { AppConfig } from '../config/app-config';
import { providerFor } from '../providers/datasets';
import { ConsentEntity, type ConsentPurpose, MAX_DURATION_DAYS } from '../database/entities/consent.entity';
import { NogiAgreementClient } from '../providers/nogi/nogi-agreement.client';
import { ConsentResponseDto, RegisterConsentRequestDto } from './consent.dto';
import { toConsentResponse } from './consent.mapper';
import { ConsentRepository, isUniqueViolation } from './consent.repository';
import { outcomeOf } from './consents.service';
import { AccountsConsentRegistration } from './accounts-consent.registration';
import { GrantedConsentRecorder } from './granted-consent.recorder';
import { derivedClientConsentId, fingerprintOf, IDEMPOTENCY_KEY_PATTERN as IDEMPOTENCY_KEY, idempotencyScope, IdempotencyStore, type RegistrationAttempt } from './idempotency.store';

/**
 * Registers consents captured in the bank's own channel: debt at NoGi (Agreement API), accounts
 * here only (AccountsConsentRegistration). For debt, with
 * Idempotency-Key: a retry never makes a second consent at NoGi, and a key is never given up once
 * NoGi may hold the consent.
 */
@Injectable()
export class ConsentRegistrationService {
  private readonly logger = new Logger(ConsentRegistrationService.name);

  constructor(
    private readonly consents: ConsentRepository,
    private readonly idempotency: IdempotencyStore,
    private readonly agreement: NogiAgreementClient,
    private readonly audit: AuditService,
    private readonly hasher: NationalIdHasher,
    private readonly config: AppConfig,
    private readonly accounts: AccountsConsentRegistration,
    private readonly recorder: GrantedConsentRecorder,
  ) {}

  async register(caller: Caller, dto: RegisterConsentRequestDto, idempotencyKey: string | undefined, actor: AuditActor): Promise<ConsentResponseDto> {
    const dataset = dto.dataset ?? 'debt';
    if (dataset === 'tax-assessment' || dataset === 'income') {
      throw AppError.validation([{ field: 'dataset', message: `${dataset} consents can only be captured by Altinn: start a consent flow` }]);
    }
    providerFor(dataset, this.config.providers);
    // Recorded by us, with its own rules (customer token only, 1–180 days); debt is registered at NoGi.
    if (dataset === 'accounts') return this.accounts.register(caller, dto, idempotencyKey, actor);
    const purpose = dto.purpose;
    if (purpose === undefined) throw AppError.validation([{ field: 'purpose', message: 'is required for debt: presentation or processing' }]);
    if (dto.durationDays > MAX_DURATION_DAYS[purpose]) {
      throw AppError.validation([{ field: 'durationDays', message: `must be at most ${MAX_DURATION_DAYS[purpose]} for ${purpose}` }]);
    }
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw AppError.validation([{ field: 'Idempotency-Key', message: 'must be 1–255 printable ASCII characters without spaces' }]);
    }
    const nationalId = customerNationalId(caller, dto.nationalId, true);
    const nationalIdHash = this.hasher.hash(nationalId);
    const request: Registration = { caller, dto: { ...dto, purpose }, nationalId, nationalIdHash, actor, keyed: idempotencyKey !== undefined };
    if (idempotencyKey === undefined) {
      const consentId = randomUUID();
      return this.registerOnce(request, { consentId, clientConsentId: dto.clientConsentId ?? consentId }, { resumed: false, uncertain: false });
    }

    const scope = idempotencyScope(caller.clientId, isCustomer(caller) ? nationalIdHash : undefined);
    // The fingerprint covers the request as resolved (a customer may omit their own national id).
    const fingerprint = fingerprintOf([nationalIdHash, dto.purpose, dto.durationDays, dto.clientConsentId ?? null]);
    const start = await this.idempotency.begin(scope, idempotencyKey, fingerprint);
    if (start.kind === 'mismatch') throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with another request body.');
    if (start.kind === 'in_progress') throw new AppError('IDEMPOTENCY_IN_PROGRESS', 'A request with this Idempotency-Key is still in progress; retry shortly.', { headers: { 'retry-after': '1' } });
    if (start.kind === 'replay') return start.body as ConsentResponseDto;
    // A retry sends NoGi the same client_consent_id as the attempt before it (derived from the key
    // when the caller gave none), so NoGi sees one registration however often it is retried.
    const attempt = start.resume ?? { consentId: randomUUID(), clientConsentId: dto.clientConsentId ?? derivedClientConsentId(scope, idempotencyKey) };
    const progress: Progress = { resumed: start.resume !== undefined, uncertain: false };
    try {
      const body = await this.registerOnce(request, attempt, progress);
      await this.idempotency.complete(scope, idempotencyKey, fingerprint, 201, body);
      return body;
    } catch (error) {
      // Once NoGi may hold the consent the key is never given up: its retry resumes this attempt.
      const release = attempt.nogi !== undefined || progress.uncertain || progress.resumed ? this.idempotency.remember(scope, idempotencyKey, fingerprint, attempt) : this.idempotency.abandon(scope, idempotencyKey);
      await release.catch((cause: unknown) => this.logger.warn({ err: cause }, 'Idempotency-Key record not updated after a failed registration'));
      throw error;
    }
  }

  /**
   * One registration at NoGi and its record here. `attempt.nogi` is set once NoGi accepted (then a
   * retry records that answer without asking NoGi again); `progress.uncertain` once NoGi may have.
   */
  private async registerOnce(request: Registration, attempt: RegistrationAttempt, progress: Progress): Promise<ConsentResponseDto> {
    const { dto, actor } = request;
    if (dto.clientConsentId !== undefined || request.keyed) {
      const existing = await this.consents.findByClientConsentId(attempt.clientConsentId);
      // Recorded by an earlier attempt with this key whose answer was lost (or by NoGi's feed).
      if (existing && isSameRegistration(existing, request, attempt)) return toConsentResponse(existing);
      if (existing && !isAdoptable(existing, request)) throw new AppError('CONSENT_CONFLICT', 'A consent with this clientConsentId is already registered.');
    }
    const scope = `debt.unsecured.${dto.purpose}`;
    if (!attempt.nogi) {
      let registered;
      try {
        progress.uncertain = true;
        registered = await this.agreement.register({ nin: request.nationalId, scope, durationDays: dto.durationDays, clientConsentId: attempt.clientConsentId }, actor.requestId ?? undefined);
      } catch (error) {
        if (request.keyed && error instanceof AppError && error.code === 'CONSENT_CONFLICT') return this.adoptConflicting(request, attempt, progress);
        // A refusal leaves nothing at NoGi; a timeout, an outage or an answer we cannot read may have.
        if (error instanceof AppError && REFUSED.includes(error.code)) progress.uncertain = false;
        await this.audit.record({ action: 'consent.registered', actor, outcome: outcomeOf(error), dataset: 'debt', detail: { purpose: dto.purpose } });
        throw error;
      }
      attempt.nogi = { nogiConsentId: registered.nogiConsentId, expiresAt: registered.expiresAt.toISOString() };
    }
    const nogi = attempt.nogi;
    const recordHere = async () => {
      try {
        return await this.record(request, attempt, nogi.nogiConsentId, new Date(nogi.expiresAt));
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        // Recorded already: the earlier attempt's commit went through but its answer was lost.
        const existing = await this.consents.findByClientConsentId(attempt.clientConsentId);
        if (existing && existing.providerConsentId === nogi.nogiConsentId && isSameRegistration(existing, request, attempt)) return toConsentResponse(existing);
        throw new AppError('CONSENT_CONFLICT', 'This consent is already registered.');
      }
    };
    // With an Idempotency-Key, NoGi's answer stays with the key and the caller's retry records it.
    if (request.keyed) return recordHere();
    // Without one nothing would ever record it: brief retries, else it is revoked at NoGi directly.
    const recorded = await this.recorder.record({ provider: 'nogi', providerConsentId: nogi.nogiConsentId, requestId: actor.requestId ?? undefined, context: { consentId: attempt.consentId } }, recordHere);
    if (!recorded) throw new AppError('DEPENDENCY_UNAVAILABLE', 'Our database is unavailable, so the consent was not registered. Register it again later.');
    return recorded;
  }

  /**
   * NoGi answered 409 for our client_consent_id although this key's body is the one sent before:
   * NoGi holds the consent from an earlier attempt (it may refuse an identical PUT after all, which
   * its documentation leaves open). It is taken from our record, or from the one NoGi's consent
   * feed made for it; never registered again under another id.
   */
  private async adoptConflicting(request: Registration, attempt: RegistrationAttempt, progress: Progress): Promise<ConsentResponseDto> {
    const existing = await this.consents.findByClientConsentId(attempt.clientConsentId);
    if (existing && isSameRegistration(existing, request, attempt)) return toConsentResponse(existing);
    if (existing && isAdoptable(existing, request)) return this.record(request, attempt, existing.providerConsentId, existing.expiresAt);
    if (progress.resumed && request.dto.clientConsentId === undefined) {
      this.logger.warn({ clientConsentId: attempt.clientConsentId }, 'NoGi holds a registration whose answer was lost; waiting for its consent feed');
      throw new AppError('IDEMPOTENCY_IN_PROGRESS', "NoGi holds this registration but its answer was lost; it is recorded once NoGi's consent feed reports it. Retry later.", { headers: { 'retry-after': '30' } });
    }
    progress.uncertain = false;
    throw new AppError('CONSENT_CONFLICT', 'The clientConsentId is already registered at NoGi with other data.');
  }

  /** The consent NoGi registered, recorded here with its audit row in one transaction. */
  private async record(request: Registration, attempt: RegistrationAttempt, providerConsentId: string, expiresAt: Date | null): Promise<ConsentResponseDto> {
    const { caller, dto, actor } = request;
    const consent = await this.consents.transaction(async (manager) => {
      const row = await this.consents.insert(
        { id: attempt.consentId, providerConsentId, clientConsentId: attempt.clientConsentId, purpose: dto.purpose, scope: `debt.unsecured.${dto.purpose}`, durationDays: dto.durationDays, source: 'agreement', status: 'active', nationalIdHash: request.nationalIdHash, createdBy: caller.clientId, expiresAt },
        manager,
      );
      await this.audit.record({ action: 'consent.registered', actor, outcome: 'success', dataset: row.dataset, consentId: row.id, detail: { purpose: dto.purpose, durationDays: dto.durationDays } }, manager);
      return row;
    });
    return toConsentResponse(consent);
  }
}

interface Registration {
  caller: Caller;
  dto: RegisterConsentRequestDto & { purpose: ConsentPurpose };
  nationalId: string;
  nationalIdHash: string;
  actor: AuditActor;
  /** With an Idempotency-Key: a retry may find what an earlier attempt left. */
  keyed: boolean;
}

interface Progress {
  /** An earlier attempt with this key may have registered the consent at NoGi. */
  resumed: boolean;
  /** This attempt may have: its PUT went out and NoGi did not refuse it. */
  uncertain: boolean;
}

/** NoGi's answers that leave nothing registered there. */
const REFUSED: readonly string[] = ['CONSENT_REJECTED', 'CONSENT_CONFLICT', 'NOGI_REJECTED'];

/** A row this very registration made (an earlier attempt with the same key and body). */
function isSameRegistration(row: ConsentEntity, request: Registration, attempt: RegistrationAttempt): boolean {
  return (
    request.keyed &&
    row.source === 'agreement' &&
    row.clientConsentId === attempt.clientConsentId &&
    row.createdBy === request.caller.clientId &&
    row.nationalIdHash === request.nationalIdHash &&
    row.purpose === request.dto.purpose &&
    row.durationDays === request.dto.durationDays
  );
}

/**
 * A row NoGi's feed made for a registration of ours whose answer we lost: no customer yet, and our
 * derived client_consent_id (only a request with this caller, customer and key derives it), so it
 * can be bound to this customer. A caller's own clientConsentId proves nothing and is never adopted.
 */
function isAdoptable(row: ConsentEntity, request: Registration): boolean {
  return request.keyed && request.dto.clientConsentId === undefined && row.source === 'external' && row.nationalIdHash === null && row.scope === `debt.unsecured.${request.dto.purpose}`;
}

