CREATE TABLE "control"."data_jobs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" text NOT NULL,
	"kind" text NOT NULL,
	"status" text DEFAULT 'running' NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"started_by" text NOT NULL,
	"step" text DEFAULT 'starting' NOT NULL,
	"progress" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"error" text,
	CONSTRAINT "data_jobs_kind_valid" CHECK ("control"."data_jobs"."kind" in ('export','backup','restore','erase')),
	CONSTRAINT "data_jobs_status_valid" CHECK ("control"."data_jobs"."status" in ('running','succeeded','failed'))
);
--> statement-breakpoint
ALTER TABLE "control"."data_jobs" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE INDEX "data_jobs_tenant_started_idx" ON "control"."data_jobs" USING btree ("tenant_id","started_at");--> statement-breakpoint
CREATE POLICY "data_jobs_tenant_isolation" ON "control"."data_jobs" AS PERMISSIVE FOR ALL TO public USING ("tenant_id" = (select nullif(current_setting('app.tenant_id', true), ''))) WITH CHECK ("tenant_id" = (select nullif(current_setting('app.tenant_id', true), '')));