import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { Provider } from '../providers/datasets';
import { RevocationOutboxEntity } from '../database/entities';

/** Revocations NoGi has not confirmed yet (written with the consent's change to `revoking`). */
@Injectable()
export class RevocationOutboxRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** At most one pending row per consent (a partial unique index): a second enqueue is a no-op. */
  async enqueue(manager: EntityManager, consentId: string, providerConsentId: string, nextAttemptAt: Date, provider: Provider): Promise<void> {
    await manager.createQueryBuilder().insert().into(RevocationOutboxEntity).values({ consentId, providerConsentId, nextAttemptAt, attempts: 0, provider }).orIgnore().execute();
  }

  /**
   * Runs `deliver` on one due row inside a transaction that holds its row lock (FOR UPDATE SKIP
   * LOCKED): another replica skips it, so a revocation is never delivered twice at once, and a
   * crash releases the lock with the connection. Returns false when nothing was due.
   */
  async withNextDue(deliver: (row: RevocationOutboxEntity, manager: EntityManager) => Promise<void>): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const row = await manager
        .getRepository(RevocationOutboxEntity)
        .createQueryBuilder('r')
        .where('r.delivered_at IS NULL')
        .andWhere('r.failed_at IS NULL')
        .andWhere('r.next_attempt_at <= now()')
        .orderBy('r.next_attempt_at', 'ASC')
        .limit(1)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getOne();
      if (!row) return false;
      await deliver(row, manager);
      return true;
    });
  }

  async markDelivered(manager: EntityManager, id: string): Promise<void> {
    await manager.getRepository(RevocationOutboxEntity).update({ id }, { deliveredAt: () => 'now()', attempts: () => 'attempts + 1', lastError: null });
  }

  async reschedule(manager: EntityManager, id: string, attempts: number, nextAttemptAt: Date, lastError: string): Promise<void> {
    await manager.getRepository(RevocationOutboxEntity).update({ id }, { attempts, nextAttemptAt, lastError });
  }

  /** The worker stops trying; the row stays the consent's pending revocation until someone acts. */
  async markFailed(manager: EntityManager, id: string, attempts: number, reason: string, lastError: string): Promise<void> {
    await manager.getRepository(RevocationOutboxEntity).update({ id }, { attempts, lastError, failedAt: () => 'now()', failureReason: reason });
  }

  findPending(consentId: string): Promise<RevocationOutboxEntity | null> {
    return this.dataSource.getRepository(RevocationOutboxEntity).createQueryBuilder('r').where('r.consent_id = :consentId', { consentId }).andWhere('r.delivered_at IS NULL').getOne();
  }
}
