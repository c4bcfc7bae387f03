import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Several providers and datasets (issue 16). Every row from before is a NoGi debt consent: the
 * column defaults backfill provider 'nogi' and dataset 'debt'; ids and every other value stay.
 */
export class ProvidersAndDatasets1796900000000 implements MigrationInterface {
    name = 'ProvidersAndDatasets1796900000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."consent_nogi_consent_id_key"`);
        await queryRunner.query(`ALTER TABLE "consent" RENAME COLUMN "nogi_consent_id" TO "provider_consent_id"`);
        await queryRunner.query(`ALTER TABLE "consent" ADD "provider" character varying(16) NOT NULL DEFAULT 'nogi'`);
        await queryRunner.query(`ALTER TABLE "consent" ADD "dataset" character varying(32) NOT NULL DEFAULT 'debt'`);
        await queryRunner.query(`ALTER TABLE "consent" ADD "parameters" jsonb`);
        await queryRunner.query(`ALTER TABLE "consent" ADD "secret_ciphertext" text`);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "consent_provider_consent_id_key" ON "consent" ("provider", "provider_consent_id")
        `);
        await queryRunner.query(`
            ALTER TABLE "consent"
            ADD CONSTRAINT "consent_provider_check" CHECK ("provider" IN ('nogi', 'altinn', 'openbanking'))
        `);
        await queryRunner.query(`
            ALTER TABLE "consent"
            ADD CONSTRAINT "consent_dataset_check" CHECK ("dataset" IN ('debt', 'tax-assessment', 'income', 'accounts'))
        `);
        await queryRunner.query(`
            ALTER TABLE "consent"
            ADD CONSTRAINT "consent_dataset_purpose_check" CHECK ("dataset" = 'debt' OR "purpose" = 'processing')
        `);

        await queryRunner.query(`ALTER TABLE "revocation_outbox" RENAME COLUMN "nogi_consent_id" TO "provider_consent_id"`);
        await queryRunner.query(`ALTER TABLE "revocation_outbox" ADD "provider" character varying(16) NOT NULL DEFAULT 'nogi'`);

        await queryRunner.query(`DROP INDEX "public"."feed_event_consent_idx"`);
        await queryRunner.query(`ALTER TABLE "feed_event" RENAME COLUMN "nogi_consent_id" TO "provider_consent_id"`);
        await queryRunner.query(`ALTER TABLE "feed_event" ADD "provider" character varying(16) NOT NULL DEFAULT 'nogi'`);
        await queryRunner.query(`
            CREATE INDEX "feed_event_consent_idx" ON "feed_event" ("provider", "provider_consent_id", "event_timestamp")
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        // Only NoGi debt consents fit the old schema; a down with other rows fails on the unique index rather than mixing them.
        await queryRunner.query(`DROP INDEX "public"."feed_event_consent_idx"`);
        await queryRunner.query(`ALTER TABLE "feed_event" DROP COLUMN "provider"`);
        await queryRunner.query(`ALTER TABLE "feed_event" RENAME COLUMN "provider_consent_id" TO "nogi_consent_id"`);
        await queryRunner.query(`
            CREATE INDEX "feed_event_consent_idx" ON "feed_event" ("nogi_consent_id", "event_timestamp")
        `);

        await queryRunner.query(`ALTER TABLE "revocation_outbox" DROP COLUMN "provider"`);
        await queryRunner.query(`ALTER TABLE "revocation_outbox" RENAME COLUMN "provider_consent_id" TO "nogi_consent_id"`);

        await queryRunner.query(`ALTER TABLE "consent" DROP CONSTRAINT "consent_dataset_purpose_check"`);
        await queryRunner.query(`ALTER TABLE "consent" DROP CONSTRAINT "consent_dataset_check"`);
        await queryRunner.query(`ALTER TABLE "consent" DROP CONSTRAINT "consent_provider_check"`);
        await queryRunner.query(`DROP INDEX "public"."consent_provider_consent_id_key"`);
        await queryRunner.query(`ALTER TABLE "consent" DROP COLUMN "secret_ciphertext"`);
        await queryRunner.query(`ALTER TABLE "consent" DROP COLUMN "parameters"`);
        await queryRunner.query(`ALTER TABLE "consent" DROP COLUMN "dataset"`);
        await queryRunner.query(`ALTER TABLE "consent" DROP COLUMN "provider"`);
        await queryRunner.query(`ALTER TABLE "consent" RENAME COLUMN "provider_consent_id" TO "nogi_consent_id"`);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "consent_nogi_consent_id_key" ON "consent" ("nogi_consent_id")
        `);
    }

}
