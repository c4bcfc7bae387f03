import { MigrationInterface, QueryRunner } from "typeorm";

/** The audit trail names the dataset of each row (contract: lifecycle rules); every earlier row is about debt. */
export class AuditDataset1797000000000 implements MigrationInterface {
    name = 'AuditDataset1797000000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "audit_event"
            ADD "dataset" character varying(32)
        `);
        await queryRunner.query(`
            UPDATE "audit_event" SET "dataset" = 'debt'
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "audit_event" DROP COLUMN "dataset"
        `);
    }
}
