CREATE TABLE "control"."alert_deliveries" (
	"alert_id" uuid PRIMARY KEY NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone,
	"log" jsonb DEFAULT '[]'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "control"."alerts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"tenant_id" text,
	"dedupe_key" text NOT NULL,
	"summary" text NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"raised_at" timestamp with time zone DEFAULT now() NOT NULL,
	"acknowledged_at" timestamp with time zone,
	"acknowledged_by" text,
	CONSTRAINT "alerts_kind_valid" CHECK ("control"."alerts"."kind" in ('cross-tenant','quota','trial','failure','guard','slot'))
);
--> statement-breakpoint
ALTER TABLE "control"."alerts" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "control"."alert_deliveries" ADD CONSTRAINT "alert_deliveries_alert_id_alerts_id_fk" FOREIGN KEY ("alert_id") REFERENCES "control"."alerts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "control"."alerts" ADD CONSTRAINT "alerts_tenant_id_customers_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "control"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_one_open_per_key" ON "control"."alerts" USING btree ("dedupe_key") WHERE "control"."alerts"."acknowledged_at" is null;--> statement-breakpoint
CREATE INDEX "alerts_raised_idx" ON "control"."alerts" USING btree ("raised_at");--> statement-breakpoint
CREATE POLICY "alerts_tenant_isolation" ON "control"."alerts" AS PERMISSIVE FOR ALL TO public USING ("tenant_id" = (select nullif(current_setting('app.tenant_id', true), ''))) WITH CHECK ("tenant_id" = (select nullif(current_setting('app.tenant_id', true), '')));