import { MigrationInterface, QueryRunner } from "typeorm";

/** Altinn 3's consent events: a text position on the feed cursor, and the applied events (no ids upstream). */
export class AltinnEvents1797100000000 implements MigrationInterface {
    name = 'AltinnEvents1797100000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "feed_cursor"
            ADD "position" text
        `);
        await queryRunner.query(`
            CREATE TABLE "altinn_event" (
                "consent_request_id" uuid NOT NULL,
                "event_type" character varying(32) NOT NULL,
                "changed_date" TIMESTAMP WITH TIME ZONE NOT NULL,
                "applied_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_altinn_event" PRIMARY KEY ("consent_request_id", "event_type", "changed_date")
            )
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP TABLE "altinn_event"
        `);
        await queryRunner.query(`
            ALTER TABLE "feed_cursor" DROP COLUMN "position"
        `);
    }
}
