DROP INDEX "control"."customers_status_created_idx";--> statement-breakpoint
DROP INDEX "control"."customers_plan_created_idx";--> statement-breakpoint
DROP INDEX "control"."customers_created_idx";--> statement-breakpoint
ALTER TABLE "control"."customers" ADD COLUMN "user_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "customers_name_id_idx" ON "control"."customers" USING btree (lower("name") collate "C","id");--> statement-breakpoint
CREATE INDEX "customers_status_id_idx" ON "control"."customers" USING btree ("status","id");--> statement-breakpoint
CREATE INDEX "customers_plan_id_idx" ON "control"."customers" USING btree ("plan","id");--> statement-breakpoint
CREATE INDEX "customers_users_id_idx" ON "control"."customers" USING btree ("user_count","id");--> statement-breakpoint
CREATE INDEX "customers_created_id_idx" ON "control"."customers" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "customers_status_created_id_idx" ON "control"."customers" USING btree ("status","created_at","id");--> statement-breakpoint
CREATE INDEX "customers_plan_created_id_idx" ON "control"."customers" USING btree ("plan","created_at","id");--> statement-breakpoint
CREATE INDEX "customers_status_name_id_idx" ON "control"."customers" USING btree ("status",lower("name") collate "C","id");--> statement-breakpoint
CREATE INDEX "customers_plan_name_id_idx" ON "control"."customers" USING btree ("plan",lower("name") collate "C","id");