CREATE TABLE "control"."usage_event_totals" (
	"tenant_id" text NOT NULL,
	"month" text NOT NULL,
	"kind" text NOT NULL,
	"events" bigint NOT NULL,
	"quantity" bigint NOT NULL,
	CONSTRAINT "usage_event_totals_tenant_id_month_kind_pk" PRIMARY KEY("tenant_id","month","kind")
);
--> statement-breakpoint
ALTER TABLE "control"."usage_event_totals" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
DROP INDEX "control"."usage_events_month_idx";--> statement-breakpoint
ALTER TABLE "control"."usage_event_totals" ADD CONSTRAINT "usage_event_totals_tenant_id_customers_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "control"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE POLICY "usage_event_totals_tenant_isolation" ON "control"."usage_event_totals" AS PERMISSIVE FOR ALL TO public USING ("tenant_id" = (select nullif(current_setting('app.tenant_id', true), ''))) WITH CHECK ("tenant_id" = (select nullif(current_setting('app.tenant_id', true), '')));