import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source';
import { InitialSchema1795313517015 } from '../../src/database/migrations/1795313517015-InitialSchema';
import { RevocationOutboxFailed1796110725097 } from '../../src/database/migrations/1796110725097-RevocationOutboxFailed';
import { ProvidersAndDatasets1796900000000 } from '../../src/database/migrations/1796900000000-ProvidersAndDatasets';
import { AuditDataset1797000000000 } from '../../src/database/migrations/1797000000000-AuditDataset';
import { createEmptyDatabase, suiteDatabaseName } from '../support/test-database';

const BEFORE = [InitialSchema1795313517015, RevocationOutboxFailed1796110725097];

/** The providers migration on a database that already holds rows of the schema before it. */
describe('providers and datasets migration', () => {
  let database: { url: string; drop(): Promise<void> };
  let sql: Client;
  const consentIds = [randomUUID(), randomUUID()];
  const eventId = randomUUID();

  async function migrateWith(migrations: Function[], step: (ds: DataSource) => Promise<unknown>): Promise<void> {
    const ds = await new DataSource({ ...dataSourceOptions(database.url, { poolSize: 1 }), migrations }).initialize();
    try {
      await step(ds);
    } finally {
      await ds.destroy();
    }
  }

  beforeAll(async () => {
    database = await createEmptyDatabase(suiteDatabaseName('providers_migration'));
    await migrateWith(BEFORE, (ds) => ds.runMigrations());
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    // One row in every table, in the previous schema's columns.
    await sql.query(`INSERT INTO app_setting (name, value) VALUES ('k', 'v')`);
    await sql.query(
      `INSERT INTO consent (id, nogi_consent_id, client_consent_id, purpose, scope, duration_days, source, status, national_id_hash, created_by, expires_at)
       VALUES ($1, 'nogi-a', 'client-a', 'presentation', 'debt.unsecured.presentation', 90, 'flow', 'active', $3, 'bank', now() + interval '90 days'),
              ($2, 'nogi-b', NULL, 'processing', 'debt.unsecured.processing', NULL, 'external', 'revoking', NULL, NULL, NULL)`,
      [...consentIds, 'a'.repeat(64)],
    );
    await sql.query(`INSERT INTO audit_event (action, outcome, consent_id) VALUES ('consent.registered', 'ok', $1)`, [consentIds[0]]);
    await sql.query(`INSERT INTO feed_cursor (name, last_sequence_nr, updated_at) VALUES ('nogi', 42, now())`);
    await sql.query(`INSERT INTO feed_event (event_id, sequence_nr, nogi_consent_id, event_type, event_timestamp) VALUES ($1, 41, 'nogi-b', 'SAMTYKKE_ARKIVERT', now())`, [eventId]);
    await sql.query(`INSERT INTO revocation_outbox (consent_id, nogi_consent_id, next_attempt_at, attempts) VALUES ($1, 'nogi-b', now(), 3)`, [consentIds[1]]);
  });

  afterAll(async () => {
    await sql?.end();
    await database?.drop();
  });

  it('backfills every existing consent, outbox row and feed event as NoGi debt and keeps ids and values', async () => {
    await migrateWith([...BEFORE, ProvidersAndDatasets1796900000000], (ds) => ds.runMigrations());

    const consents = (await sql.query('SELECT id, provider, dataset, provider_consent_id, client_consent_id, purpose, duration_days, status, parameters, secret_ciphertext FROM consent ORDER BY provider_consent_id')).rows;
    expect(consents).toEqual([
      { id: consentIds[0], provider: 'nogi', dataset: 'debt', provider_consent_id: 'nogi-a', client_consent_id: 'client-a', purpose: 'presentation', duration_days: 90, status: 'active', parameters: null, secret_ciphertext: null },
      { id: consentIds[1], provider: 'nogi', dataset: 'debt', provider_consent_id: 'nogi-b', client_consent_id: null, purpose: 'processing', duration_days: null, status: 'revoking', parameters: null, secret_ciphertext: null },
    ]);
    expect((await sql.query('SELECT consent_id, provider, provider_consent_id, attempts FROM revocation_outbox')).rows).toEqual([
      { consent_id: consentIds[1], provider: 'nogi', provider_consent_id: 'nogi-b', attempts: 3 },
    ]);
    expect((await sql.query('SELECT event_id, provider, provider_consent_id FROM feed_event')).rows).toEqual([{ event_id: eventId, provider: 'nogi', provider_consent_id: 'nogi-b' }]);
    expect((await sql.query('SELECT consent_id FROM audit_event')).rows).toEqual([{ consent_id: consentIds[0] }]);
    expect((await sql.query('SELECT last_sequence_nr FROM feed_cursor')).rows).toEqual([{ last_sequence_nr: '42' }]);
    expect((await sql.query('SELECT value FROM app_setting')).rows).toEqual([{ value: 'v' }]);
  });

  it('refuses unknown providers and datasets, presentation outside debt, and a second consent id of one provider', async () => {
    const insert = (provider: string, dataset: string, purpose: string, providerConsentId: string) =>
      sql.query(
        `INSERT INTO consent (id, provider, dataset, provider_consent_id, purpose, scope, source, status) VALUES ($1, $2, $3, $4, $5, 's', 'flow', 'active')`,
        [randomUUID(), provider, dataset, providerConsentId, purpose],
      );
    await expect(insert('bankid', 'debt', 'processing', 'x1')).rejects.toThrow(/consent_provider_check/);
    await expect(insert('altinn', 'pension', 'processing', 'x2')).rejects.toThrow(/consent_dataset_check/);
    await expect(insert('altinn', 'income', 'presentation', 'x3')).rejects.toThrow(/consent_dataset_purpose_check/);
    await expect(insert('nogi', 'debt', 'processing', 'nogi-a')).rejects.toThrow(/consent_provider_consent_id_key/);
    // The same id at another provider is another consent.
    await insert('altinn', 'income', 'processing', 'nogi-a');
    await sql.query(`DELETE FROM consent WHERE provider = 'altinn'`);
  });

  it('reverts cleanly to the previous schema with the rows as they were', async () => {
    await migrateWith([...BEFORE, ProvidersAndDatasets1796900000000], (ds) => ds.undoLastMigration());

    expect((await sql.query('SELECT id, nogi_consent_id FROM consent ORDER BY nogi_consent_id')).rows).toEqual([
      { id: consentIds[0], nogi_consent_id: 'nogi-a' },
      { id: consentIds[1], nogi_consent_id: 'nogi-b' },
    ]);
    expect((await sql.query('SELECT nogi_consent_id FROM revocation_outbox')).rows).toEqual([{ nogi_consent_id: 'nogi-b' }]);
    expect((await sql.query('SELECT nogi_consent_id FROM feed_event')).rows).toEqual([{ nogi_consent_id: 'nogi-b' }]);
    const columns = (await sql.query(`SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name IN ('provider', 'dataset', 'parameters', 'secret_ciphertext', 'provider_consent_id')`)).rows;
    expect(columns).toEqual([]);
    const indexes = (await sql.query(`SELECT indexname FROM pg_indexes WHERE indexname IN ('consent_nogi_consent_id_key', 'feed_event_consent_idx') ORDER BY indexname`)).rows;
    expect(indexes).toEqual([{ indexname: 'consent_nogi_consent_id_key' }, { indexname: 'feed_event_consent_idx' }]);
    // And forward again.
    await migrateWith([...BEFORE, ProvidersAndDatasets1796900000000], (ds) => ds.runMigrations());
    expect((await sql.query(`SELECT count(*)::int AS n FROM consent WHERE provider = 'nogi' AND dataset = 'debt'`)).rows).toEqual([{ n: 2 }]);
  });

  it('names the dataset of every earlier audit row (debt) and reverts cleanly', async () => {
    await migrateWith([...BEFORE, ProvidersAndDatasets1796900000000, AuditDataset1797000000000], (ds) => ds.runMigrations());
    expect((await sql.query('SELECT action, dataset, consent_id FROM audit_event')).rows).toEqual([{ action: 'consent.registered', dataset: 'debt', consent_id: consentIds[0] }]);
    await migrateWith([...BEFORE, ProvidersAndDatasets1796900000000, AuditDataset1797000000000], (ds) => ds.undoLastMigration());
    expect((await sql.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'audit_event' AND column_name = 'dataset'`)).rows).toEqual([]);
    expect((await sql.query('SELECT action, consent_id FROM audit_event')).rows).toEqual([{ action: 'consent.registered', consent_id: consentIds[0] }]);
  });
});
