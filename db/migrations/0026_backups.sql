CREATE TABLE "control"."backups" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"file" text NOT NULL,
	"bytes" bigint NOT NULL,
	"sha256" text NOT NULL,
	"rows" bigint NOT NULL,
	"verified" boolean NOT NULL,
	"error" text
);
--> statement-breakpoint
ALTER TABLE "control"."backups" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "control"."backups" ADD CONSTRAINT "backups_tenant_id_customers_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "control"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "backups_tenant_created_idx" ON "control"."backups" USING btree ("tenant_id","created_at");--> statement-breakpoint
CREATE POLICY "backups_tenant_isolation" ON "control"."backups" AS PERMISSIVE FOR ALL TO public USING ("tenant_id" = (select nullif(current_setting('app.tenant_id', true), ''))) WITH CHECK ("tenant_id" = (select nullif(current_setting('app.tenant_id', true), '')));