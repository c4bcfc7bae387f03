import { MigrationInterface, QueryRunner } from "typeorm";

export class RevocationOutboxFailed1796110725097 implements MigrationInterface {
    name = 'RevocationOutboxFailed1796110725097'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "revocation_outbox"
            ADD "failed_at" TIMESTAMP WITH TIME ZONE
        `);
        await queryRunner.query(`
            ALTER TABLE "revocation_outbox"
            ADD "failure_reason" character varying(64)
        `);
        // Failed rows are never due again (TypeORM does not diff an index's WHERE: written by hand).
        await queryRunner.query(`
            DROP INDEX "public"."revocation_outbox_due_idx"
        `);
        await queryRunner.query(`
            CREATE INDEX "revocation_outbox_due_idx" ON "revocation_outbox" ("next_attempt_at")
            WHERE "delivered_at" IS NULL AND "failed_at" IS NULL
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX "public"."revocation_outbox_due_idx"
        `);
        await queryRunner.query(`
            CREATE INDEX "revocation_outbox_due_idx" ON "revocation_outbox" ("next_attempt_at")
            WHERE "delivered_at" IS NULL
        `);
        await queryRunner.query(`
            ALTER TABLE "revocation_outbox" DROP COLUMN "failure_reason"
        `);
        await queryRunner.query(`
            ALTER TABLE "revocation_outbox" DROP COLUMN "failed_at"
        `);
    }

}
