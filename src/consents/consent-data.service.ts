import { Injectable } from '@nestjs/common';
import { AuditActor, AuditService } from '../audit/audit.service';
import { Caller } from '../auth/caller';
import { AppError } from '../common/problem';
import type { ConsentEntity, ConsentStatus } from '../database/entities/consent.entity';
import type { Dataset } from '../providers/datasets';
import { ConsentEndedAtProviderError, type ProviderRead } from '../providers/provider-capabilities';
import { ConsentRepository } from './consent.repository';
import { ConsentsService, outcomeOf } from './consents.service';

/** Statuses in which a consent can no longer disclose data. */
const ENDED: readonly ConsentStatus[] = ['expired', 'revoked', 'archived', 'revoking'];

/**
 * Every data read by consent, whatever the dataset: the caller's own consent, of this route's
 * dataset, still active; the provider's read; the identity check; the use recorded and audited
 * (one row per disclosure or refusal, naming the dataset). A provider saying the consent is over
 * ends it here and answers 410.
 */
@Injectable()
export class ConsentDataService {
  constructor(
    private readonly consents: ConsentRepository,
    private readonly consentsService: ConsentsService,
    private readonly audit: AuditService,
  ) {}

  async read<T>(caller: Caller, id: string, dataset: Dataset, actor: AuditActor, read: (consent: ConsentEntity) => Promise<ProviderRead<T>>): Promise<T> {
    const action = dataset === 'debt' ? 'consent.debt_read' : 'consent.data_read';
    const found = await this.consentsService.findForCaller(caller, id);
    if (found.dataset !== dataset) {
      await this.audit.record({ action, actor, outcome: 'dataset_mismatch', dataset, consentId: found.id });
      throw new AppError('DATASET_MISMATCH', `The consent is for ${found.dataset}, not ${dataset}.`);
    }
    const consent = await this.consentsService.expireIfDue(found, actor);
    const disclosed = (outcome: string) => this.audit.record({ action, actor, outcome, dataset, consentId: consent.id });
    if (ENDED.includes(consent.status)) {
      await disclosed('consent_not_active');
      throw notActive();
    }
    let result: ProviderRead<T>;
    try {
      result = await read(consent);
    } catch (error) {
      if (error instanceof ConsentEndedAtProviderError) {
        await this.consentsService.end(consent, error.ended, actor, error.reason);
        await disclosed('consent_not_active');
        throw notActive();
      }
      await disclosed(outcomeOf(error));
      throw error;
    }
    // Consents learnt from a provider's feed have no customer yet: the first read tells us who it is.
    if (result.personHash === null || (consent.nationalIdHash !== null && result.personHash !== consent.nationalIdHash)) {
      await disclosed('identity_mismatch');
      throw new AppError('IDENTITY_MISMATCH', "The provider's answer does not belong to this consent's customer; nothing was disclosed.");
    }
    let data: T;
    try {
      // Mapped before the use is recorded: an answer we cannot represent is a failed read.
      data = result.disclose();
    } catch (error) {
      await disclosed(outcomeOf(error));
      throw error;
    }
    const now = new Date();
    if (consent.durationDays === null && consent.source !== 'external') {
      await this.consents.transaction(async (manager) => {
        await this.consents.update(consent.id, { lastUsedAt: now, ...(consent.nationalIdHash === null ? { nationalIdHash: result.personHash } : {}) }, manager);
        // A one-time consent (NoGi's default) allows one collection: used means over.
        await this.consents.transition(consent.id, ['active'], { status: 'expired' }, manager);
        await this.audit.record({ action: 'consent.expired', actor, outcome: 'success', dataset, consentId: consent.id, detail: { reason: 'used' } }, manager);
        await this.audit.record({ action, actor, outcome: 'success', dataset, consentId: consent.id }, manager);
      });
    } else {
      await this.consents.recordDataRead(consent.id, now, result.personHash, action, actor);
    }
    return data;
  }
}

function notActive(): AppError {
  return new AppError('CONSENT_NOT_ACTIVE', 'The consent has expired, been used or been revoked; ask the customer for a new one.');
}
