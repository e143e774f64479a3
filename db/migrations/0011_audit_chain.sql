CREATE TABLE "control"."audit_chain" (
	"chain" text PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL,
	"last_hash" text,
	"anchor_seq" bigint DEFAULT 0 NOT NULL,
	"anchor_hash" text
);
--> statement-breakpoint
ALTER TABLE "control"."audit_events" ADD COLUMN "chain_seq" bigint;--> statement-breakpoint
ALTER TABLE "control"."audit_events" ADD COLUMN "prev_hash" text;--> statement-breakpoint
ALTER TABLE "control"."audit_events" ADD COLUMN "hash" text;--> statement-breakpoint
CREATE UNIQUE INDEX "audit_events_chain_seq_key" ON "control"."audit_events" USING btree ("chain_seq");