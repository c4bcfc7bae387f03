import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { ConsentEntity, type ConsentPurpose, type ConsentStatus, type Dataset, type Provider } from '../database/entities/consent.entity';
import type { ConsentCursor } from './consent-cursor';

export type NewConsent = Pick<
  ConsentEntity,
  'providerConsentId' | 'clientConsentId' | 'purpose' | 'scope' | 'durationDays' | 'source' | 'status' | 'nationalIdHash' | 'createdBy' | 'expiresAt'
> &
  Partial<Pick<ConsentEntity, 'id' | 'provider' | 'dataset' | 'parameters' | 'secretCiphertext' | 'revokedAt' | 'lastUsedAt' | 'lastEventAt'>>;

export interface ConsentFilter {
  nationalIdHash?: string;
  status?: ConsentStatus;
  purpose?: ConsentPurpose;
  dataset?: Dataset;
  provider?: Provider;
  after?: ConsentCursor;
  limit: number;
}

/** PostgreSQL's unique_violation: the caller decides what a duplicate means. */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string; driverError?: { code?: string } })?.driverError?.code === '23505' || (error as { code?: string })?.code === '23505';
}

const CURSOR_TIME = `to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** The consent table. Pass a transaction's EntityManager when the write belongs to a larger change. */
@Injectable()
export class ConsentRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(ConsentEntity);
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /**
   * Inserts and returns the stored row (with created_at as the database set it). The feed may
   * have learnt the same NoGi consent first (source `external`, no customer): then that row is
   * adopted — it takes our values and keeps its id, and a status the feed already ended stays
   * ended. Any other row with the same provider and provider consent id is a unique violation.
   */
  async insert(values: NewConsent, manager?: EntityManager): Promise<ConsentEntity> {
    const row = { provider: 'nogi', dataset: 'debt', parameters: null, secretCiphertext: null, revokedAt: null, lastUsedAt: null, lastEventAt: null, ...values, id: values.id ?? randomUUID() };
    const runner = manager ?? this.dataSource.manager;
    const result: Array<{ id: string }> = await runner.query(
      `INSERT INTO consent AS c (id, provider_consent_id, client_consent_id, purpose, scope, duration_days, source, status, national_id_hash, created_by, expires_at, revoked_at, last_used_at, last_event_at,
                                 provider, dataset, parameters, secret_ciphertext)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
       ON CONFLICT (provider, provider_consent_id) DO UPDATE SET
         client_consent_id = COALESCE(c.client_consent_id, EXCLUDED.client_consent_id),
         purpose = EXCLUDED.purpose, scope = EXCLUDED.scope, duration_days = EXCLUDED.duration_days,
         source = EXCLUDED.source, national_id_hash = EXCLUDED.national_id_hash, created_by = EXCLUDED.created_by,
         status = CASE WHEN c.status = 'active' THEN EXCLUDED.status ELSE c.status END,
         expires_at = COALESCE(EXCLUDED.expires_at, c.expires_at), last_used_at = EXCLUDED.last_used_at, updated_at = now()
       WHERE c.source = 'external' AND c.national_id_hash IS NULL
       RETURNING c.id`,
      [row.id, row.providerConsentId, row.clientConsentId, row.purpose, row.scope, row.durationDays, row.source, row.status, row.nationalIdHash, row.createdBy, row.expiresAt, row.revokedAt, row.lastUsedAt, row.lastEventAt,
       row.provider, row.dataset, row.parameters === null ? null : JSON.stringify(row.parameters), row.secretCiphertext],
    );
    if (result.length === 0) throw Object.assign(new Error('A consent with this NoGi consent id exists'), { code: '23505' });
    return this.repo(manager).findOneByOrFail({ id: result[0].id });
  }

  /**
   * Every consent route starts here, so it is one plain statement: TypeORM's find builds its query
   * anew on every call, which cost more than the round trip.
   */
  async findById(id: string, manager?: EntityManager): Promise<ConsentEntity | null> {
    const rows: Array<Record<string, unknown>> = manager ? await manager.query(this.selectById(), [id]) : await this.poolQuery(this.selectById(), [id]);
    return rows.length > 0 ? Object.assign(new ConsentEntity(), rows[0]) : null;
  }

  /**
   * TypeORM's pg pool, for the statements of every data read outside a transaction: TypeORM's
   * query runner (made, connected and released per statement) cost more CPU than the statement.
   * pg's errors reach the problem filter as they are (their `code`), so an outage is still a 503.
   */
  private async poolQuery(sql: string, params: unknown[]): Promise<Array<Record<string, unknown>>> {
    const pool = (this.dataSource.driver as unknown as { master: Pool }).master;
    const started = performance.now();
    try {
      return (await pool.query(sql, params)).rows;
    } catch (error) {
      // As TypeORM would: the SQL and the error, never the parameters.
      this.dataSource.logger.logQueryError(error as Error, sql);
      throw error;
    } finally {
      const ms = performance.now() - started;
      const slowMs = this.dataSource.options.maxQueryExecutionTime;
      if (slowMs && ms > slowMs) this.dataSource.logger.logQuerySlow(Math.round(ms), sql);
    }
  }

  private byIdSql?: string;

  /** SELECT of every mapped column under its property name, from the entity's own metadata. */
  private selectById(): string {
    if (!this.byIdSql) {
      const { columns, tableName } = this.dataSource.getMetadata(ConsentEntity);
      const list = columns.map((c) => `"${c.databaseName}" AS "${c.propertyName}"`).join(', ');
      this.byIdSql = `SELECT ${list} FROM "${tableName}" WHERE "id" = $1`;
    }
    return this.byIdSql;
  }

  findByProviderConsentId(provider: Provider, providerConsentId: string): Promise<ConsentEntity | null> {
    return this.repo().findOneBy({ provider, providerConsentId });
  }

  findByClientConsentId(clientConsentId: string): Promise<ConsentEntity | null> {
    return this.repo().findOneBy({ clientConsentId });
  }

  /** Newest first; one row more than asked tells whether another page exists. */
  async list(filter: ConsentFilter): Promise<{ items: ConsentEntity[]; cursors: ConsentCursor[] }> {
    const qb = this.repo().createQueryBuilder('c').addSelect(CURSOR_TIME, 'cursor_time');
    if (filter.nationalIdHash !== undefined) qb.andWhere('c.national_id_hash = :hash', { hash: filter.nationalIdHash });
    if (filter.status) qb.andWhere('c.status = :status', { status: filter.status });
    if (filter.purpose) qb.andWhere('c.purpose = :purpose', { purpose: filter.purpose });
    if (filter.dataset) qb.andWhere('c.dataset = :dataset', { dataset: filter.dataset });
    if (filter.provider) qb.andWhere('c.provider = :provider', { provider: filter.provider });
    if (filter.after) qb.andWhere('(c.created_at, c.id) < (CAST(:afterTime AS timestamptz), CAST(:afterId AS uuid))', { afterTime: filter.after.createdAt, afterId: filter.after.id });
    qb.orderBy('c.created_at', 'DESC').addOrderBy('c.id', 'DESC').limit(filter.limit);
    const { entities, raw } = await qb.getRawAndEntities<{ cursor_time: string }>();
    return { items: entities, cursors: entities.map((e, i) => ({ createdAt: raw[i].cursor_time, id: e.id })) };
  }

  /** Marks active consents whose time has passed as expired; returns the ids it changed. */
  async expireDue(scope: { nationalIdHash?: string; id?: string } = {}, manager?: EntityManager): Promise<Array<{ id: string; dataset: Dataset }>> {
    const qb = this.repo(manager)
      .createQueryBuilder()
      .update(ConsentEntity)
      .set({ status: 'expired' })
      .where('status = :active', { active: 'active' })
      .andWhere('expires_at <= now()')
      .returning(['id', 'dataset']);
    if (scope.nationalIdHash !== undefined) qb.andWhere('national_id_hash = :hash', { hash: scope.nationalIdHash });
    if (scope.id !== undefined) qb.andWhere('id = :id', { id: scope.id });
    const result = await qb.execute();
    return (result.raw as Array<{ id: string; dataset: Dataset }>).map((row) => ({ id: row.id, dataset: row.dataset }));
  }

  /**
   * Changes the status only when the current one is among `from` (so a concurrent change wins
   * cleanly); true when the row changed.
   */
  async transition(id: string, from: readonly ConsentStatus[], values: Partial<Pick<ConsentEntity, 'status' | 'revokedAt' | 'expiresAt' | 'nationalIdHash'>>, manager?: EntityManager): Promise<boolean> {
    const result = await this.repo(manager)
      .createQueryBuilder()
      .update(ConsentEntity)
      .set(values)
      .where('id = :id', { id })
      .andWhere('status IN (:...from)', { from })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /**
   * The hot path of a data read by consent in one statement (atomic, one round trip): last use, the
   * customer's hash when the consent had none (learnt from the feed), and the audit record.
   */
  async recordDataRead(
    consentId: string,
    at: Date,
    nationalIdHash: string | null,
    action: 'consent.debt_read' | 'consent.data_read',
    actor: { subject: string | null; clientId: string | null; requestId: string | null },
  ): Promise<void> {
    await this.poolQuery(
      `WITH used AS (
         UPDATE consent SET last_used_at = $2, national_id_hash = COALESCE(national_id_hash, $3), updated_at = now()
         WHERE id = $1 RETURNING id, dataset)
       INSERT INTO audit_event (action, outcome, dataset, consent_id, actor_subject, actor_client, request_id)
       SELECT $7, 'success', dataset, id, $4, $5, $6 FROM used`,
      [consentId, at, nationalIdHash, actor.subject, actor.clientId, actor.requestId, action],
    );
  }

  async update(id: string, values: Partial<Pick<ConsentEntity, 'expiresAt' | 'lastUsedAt' | 'nationalIdHash'>>, manager?: EntityManager): Promise<void> {
    await this.repo(manager).update({ id }, values);
  }
}
