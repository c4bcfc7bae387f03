import { MigrationInterface, QueryRunner } from "typeorm";

export class InitialSchema1795313517015 implements MigrationInterface {
    name = 'InitialSchema1795313517015'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "app_setting" (
                "name" character varying(64) NOT NULL,
                "value" text NOT NULL,
                CONSTRAINT "PK_68550d3d894c76d4797d7855d59" PRIMARY KEY ("name")
            )
        `);
        await queryRunner.query(`
            CREATE TABLE "audit_event" (
                "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
                "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "action" character varying(64) NOT NULL,
                "consent_id" uuid,
                "flow_id" uuid,
                "actor_subject" text,
                "actor_client" text,
                "request_id" text,
                "outcome" character varying(64) NOT NULL,
                "detail" jsonb,
                CONSTRAINT "PK_481efbe8b0a403efe3f47a6528f" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "audit_event_flow_idx" ON "audit_event" ("flow_id")
        `);
        await queryRunner.query(`
            CREATE INDEX "audit_event_consent_idx" ON "audit_event" ("consent_id", "occurred_at")
        `);
        await queryRunner.query(`
            CREATE TABLE "consent" (
                "id" uuid NOT NULL,
                "nogi_consent_id" text NOT NULL,
                "client_consent_id" text,
                "purpose" character varying(16) NOT NULL,
                "scope" text NOT NULL,
                "duration_days" integer,
                "source" character varying(16) NOT NULL,
                "status" character varying(16) NOT NULL,
                "national_id_hash" character(64),
                "created_by" text,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "expires_at" TIMESTAMP WITH TIME ZONE,
                "revoked_at" TIMESTAMP WITH TIME ZONE,
                "last_used_at" TIMESTAMP WITH TIME ZONE,
                "last_event_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "consent_status_check" CHECK (
                    "status" IN (
                        'active',
                        'expired',
                        'revoked',
                        'archived',
                        'revoking'
                    )
                ),
                CONSTRAINT "consent_source_check" CHECK ("source" IN ('flow', 'agreement', 'external')),
                CONSTRAINT "consent_purpose_check" CHECK ("purpose" IN ('presentation', 'processing')),
                CONSTRAINT "PK_9115e8d6b082d4fc46d56134d29" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "consent_nogi_consent_id_key" ON "consent" ("nogi_consent_id")
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "consent_client_consent_id_key" ON "consent" ("client_consent_id")
            WHERE "client_consent_id" IS NOT NULL
        `);
        await queryRunner.query(`
            CREATE INDEX "consent_status_expires_idx" ON "consent" ("status", "expires_at")
        `);
        await queryRunner.query(`
            CREATE INDEX "consent_customer_idx" ON "consent" ("national_id_hash", "created_at", "id")
        `);
        await queryRunner.query(`
            CREATE TABLE "feed_cursor" (
                "name" character varying(64) NOT NULL,
                "last_sequence_nr" bigint NOT NULL,
                "last_success_at" TIMESTAMP WITH TIME ZONE,
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "PK_6a9443e7ce11a7522ccce868309" PRIMARY KEY ("name")
            )
        `);
        await queryRunner.query(`
            CREATE TABLE "feed_event" (
                "event_id" uuid NOT NULL,
                "sequence_nr" bigint NOT NULL,
                "nogi_consent_id" text NOT NULL,
                "event_type" character varying(32) NOT NULL,
                "event_timestamp" TIMESTAMP WITH TIME ZONE NOT NULL,
                "applied_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_d36c005b35f6d55d274a53e9db1" PRIMARY KEY ("event_id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "feed_event_consent_idx" ON "feed_event" ("nogi_consent_id", "event_timestamp")
        `);
        await queryRunner.query(`
            CREATE TABLE "revocation_outbox" (
                "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
                "consent_id" uuid NOT NULL,
                "nogi_consent_id" text NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "attempts" integer NOT NULL DEFAULT '0',
                "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "last_error" text,
                "delivered_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "PK_e8a53c19a8ad32fb98941ab4dd5" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE UNIQUE INDEX "revocation_outbox_pending_consent_key" ON "revocation_outbox" ("consent_id")
            WHERE "delivered_at" IS NULL
        `);
        await queryRunner.query(`
            CREATE INDEX "revocation_outbox_due_idx" ON "revocation_outbox" ("next_attempt_at")
            WHERE "delivered_at" IS NULL
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX "public"."revocation_outbox_due_idx"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."revocation_outbox_pending_consent_key"
        `);
        await queryRunner.query(`
            DROP TABLE "revocation_outbox"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."feed_event_consent_idx"
        `);
        await queryRunner.query(`
            DROP TABLE "feed_event"
        `);
        await queryRunner.query(`
            DROP TABLE "feed_cursor"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."consent_customer_idx"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."consent_status_expires_idx"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."consent_client_consent_id_key"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."consent_nogi_consent_id_key"
        `);
        await queryRunner.query(`
            DROP TABLE "consent"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."audit_event_consent_idx"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."audit_event_flow_idx"
        `);
        await queryRunner.query(`
            DROP TABLE "audit_event"
        `);
        await queryRunner.query(`
            DROP TABLE "app_setting"
        `);
    }

}
