CREATE TABLE "control"."usage_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"trigger" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone NOT NULL,
	"customers" integer NOT NULL,
	"figures" integer NOT NULL,
	"scoped_tables" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "control"."usage_snapshots" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "control"."usage_snapshots_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"run_id" uuid NOT NULL,
	"tenant_id" text NOT NULL,
	"taken_at" timestamp with time zone NOT NULL,
	"metric" text NOT NULL,
	"value" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "control"."usage_snapshots" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "control"."usage_snapshots" ADD CONSTRAINT "usage_snapshots_tenant_id_customers_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "control"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "usage_snapshots_tenant_metric_taken_idx" ON "control"."usage_snapshots" USING btree ("tenant_id","metric","taken_at");--> statement-breakpoint
CREATE INDEX "usage_snapshots_run_idx" ON "control"."usage_snapshots" USING btree ("run_id");--> statement-breakpoint
CREATE POLICY "usage_snapshots_tenant_isolation" ON "control"."usage_snapshots" AS PERMISSIVE FOR ALL TO public USING ("tenant_id" = (select nullif(current_setting('app.tenant_id', true), ''))) WITH CHECK ("tenant_id" = (select nullif(current_setting('app.tenant_id', true), '')));