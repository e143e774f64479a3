CREATE TABLE "control"."customer_exports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text NOT NULL,
	"sha256" text NOT NULL,
	"rows" bigint NOT NULL,
	"tables" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "control"."customer_exports" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "control"."erasures" (
	"tenant_id" text PRIMARY KEY NOT NULL,
	"erased_at" timestamp with time zone DEFAULT now() NOT NULL,
	"erased_by" text NOT NULL,
	"certificate" jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "control"."erasures" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "control"."customers" DROP CONSTRAINT "customers_status_valid";--> statement-breakpoint
ALTER TABLE "control"."customer_exports" ADD CONSTRAINT "customer_exports_tenant_id_customers_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "control"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "control"."erasures" ADD CONSTRAINT "erasures_tenant_id_customers_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "control"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "customer_exports_tenant_created_idx" ON "control"."customer_exports" USING btree ("tenant_id","created_at");--> statement-breakpoint
ALTER TABLE "control"."customers" ADD CONSTRAINT "customers_status_valid" CHECK ("control"."customers"."status" in ('trial','active','suspended','offboarding','deleted','erased'));--> statement-breakpoint
CREATE POLICY "customer_exports_tenant_isolation" ON "control"."customer_exports" AS PERMISSIVE FOR ALL TO public USING ("tenant_id" = (select nullif(current_setting('app.tenant_id', true), ''))) WITH CHECK ("tenant_id" = (select nullif(current_setting('app.tenant_id', true), '')));--> statement-breakpoint
CREATE POLICY "erasures_tenant_isolation" ON "control"."erasures" AS PERMISSIVE FOR ALL TO public USING ("tenant_id" = (select nullif(current_setting('app.tenant_id', true), ''))) WITH CHECK ("tenant_id" = (select nullif(current_setting('app.tenant_id', true), '')));