DROP INDEX "control"."users_email_key";--> statement-breakpoint
ALTER TABLE "control"."users" ADD COLUMN "email_key" text GENERATED ALWAYS AS (lower(email)) STORED NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_key" ON "control"."users" USING btree ("email_key");--> statement-breakpoint
-- A customer's door reads users by column (0053): the key too.
GRANT SELECT (email_key) ON control.users TO tenantry_tenant;
