ALTER TABLE "control"."moves" ADD COLUMN "frozen_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "control"."moves" ADD COLUMN "lag_bytes" bigint;--> statement-breakpoint
ALTER TABLE "control"."moves" ADD COLUMN "cancel_requested_by" text;--> statement-breakpoint
ALTER TABLE "control"."moves" ADD COLUMN "cleanup_after" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "control"."moves" ADD COLUMN "cleaned_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "moves_cleanup_due_idx" ON "control"."moves" USING btree ("cleanup_after") WHERE "control"."moves"."cleaned_at" is null and "control"."moves"."cleanup_after" is not null;