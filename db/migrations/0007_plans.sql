CREATE TABLE "control"."plans" (
	"name" text PRIMARY KEY NOT NULL,
	"display_name" text NOT NULL,
	"position" integer NOT NULL,
	"max_users" integer NOT NULL,
	"max_rows" bigint NOT NULL,
	"max_storage_bytes" bigint NOT NULL,
	"max_api_calls_month" bigint NOT NULL,
	"rate_limit_per_minute" integer NOT NULL
);
--> statement-breakpoint
-- The plans exist before customers.plan may refer to them (hand-added to the generated file).
INSERT INTO "control"."plans" VALUES
  ('free',       'Free',       1,     3,       100000,     1073741824,     100000,   60),
  ('team',       'Team',       2,    25,      2000000,    21474836480,    2000000,  600),
  ('business',   'Business',   3,   100,     20000000,   214748364800,   20000000, 3000),
  ('enterprise', 'Enterprise', 4,  1000,    500000000,  5497558138880,  500000000, 20000);
--> statement-breakpoint
ALTER TABLE "control"."customers" ADD COLUMN "quota_overrides" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "control"."customers" ADD COLUMN "version" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "control"."customers" ADD CONSTRAINT "customers_plan_plans_name_fk" FOREIGN KEY ("plan") REFERENCES "control"."plans"("name") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "customers_status_created_idx" ON "control"."customers" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "customers_plan_created_idx" ON "control"."customers" USING btree ("plan","created_at");--> statement-breakpoint
CREATE INDEX "customers_created_idx" ON "control"."customers" USING btree ("created_at");