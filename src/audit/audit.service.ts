import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import type { Caller } from '../auth/caller';
import type { Dataset } from '../providers/datasets';
import { AuditEventEntity } from '../database/entities';

/** Who did it: the verified caller (or a background job) and the request it came with. */
export interface AuditActor {
  subject: string | null;
  clientId: string | null;
  requestId: string | null;
}

export type AuditAction =
  | 'flow.completed'
  | 'flow.failed'
  | 'flow.debt_read'
  | 'flow.data_read'
  | 'consent.registered'
  | 'consent.revoked'
  | 'consent.revocation_queued'
  | 'consent.revocation_failed'
  | 'consent.archived'
  | 'consent.expired'
  | 'consent.learnt_from_feed'
  | 'consent.debt_read'
  | 'consent.data_read';

export interface AuditRecord {
  action: AuditAction;
  actor: AuditActor;
  /** success, or a lower_snake failure code (never an upstream body, never a national id). */
  outcome: string;
  /** The dataset it is about; every row names one. */
  dataset: Dataset;
  consentId?: string | null;
  flowId?: string | null;
  detail?: Record<string, string | number | boolean | null>;
}

export const SYSTEM_ACTOR = (job: string): AuditActor => ({ subject: `system:${job}`, clientId: null, requestId: null });

export function actorOf(caller: Caller, requestId: string): AuditActor {
  return { subject: caller.subject, clientId: caller.clientId, requestId };
}

/**
 * The audit trail of the contract: every debt disclosure and consent change. Pass the transaction's
 * EntityManager when the change itself is transactional, so the record commits (or not) with it.
 */
@Injectable()
export class AuditService {
  constructor(@InjectRepository(AuditEventEntity) private readonly repo: Repository<AuditEventEntity>) {}

  async record(entry: AuditRecord, manager?: EntityManager): Promise<void> {
    const repo = manager ? manager.getRepository(AuditEventEntity) : this.repo;
    await repo.insert({
      action: entry.action,
      outcome: entry.outcome,
      dataset: entry.dataset,
      consentId: entry.consentId ?? null,
      flowId: entry.flowId ?? null,
      actorSubject: entry.actor.subject,
      actorClient: entry.actor.clientId,
      requestId: entry.actor.requestId,
      detail: (entry.detail ?? null) as never,
    });
  }
}
