-- The customer list's name indexes include every column the list shows (lib/customers/queries.ts):
-- a name search (its prefix's range, then sorted by any column), its count, and a sort by name
-- under a status or plan filter read only an index. Without the columns, the planner preferred
-- scanning one index and filtering, which costs what the data's correlation makes it (no
-- Bluebird suspended: every one of them read before the first suspended name). drizzle cannot
-- declare INCLUDE; db/schema.ts says so.
DROP INDEX "control"."customers_name_id_idx";--> statement-breakpoint
DROP INDEX "control"."customers_status_name_id_idx";--> statement-breakpoint
DROP INDEX "control"."customers_plan_name_id_idx";--> statement-breakpoint
CREATE INDEX "customers_name_id_idx" ON "control"."customers" USING btree (lower("name") collate "C", "id")
  INCLUDE ("name", "status", "plan", "user_count", "created_at", "trial_ends_at");--> statement-breakpoint
CREATE INDEX "customers_status_name_id_idx" ON "control"."customers" USING btree ("status", lower("name") collate "C", "id")
  INCLUDE ("name", "plan", "user_count", "created_at", "trial_ends_at");--> statement-breakpoint
CREATE INDEX "customers_plan_name_id_idx" ON "control"."customers" USING btree ("plan", lower("name") collate "C", "id")
  INCLUDE ("name", "status", "user_count", "created_at", "trial_ends_at");
