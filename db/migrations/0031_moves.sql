CREATE TABLE "control"."moves" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" text NOT NULL,
	"source" text NOT NULL,
	"target" text NOT NULL,
	"mode" text NOT NULL,
	"status" text DEFAULT 'running' NOT NULL,
	"phase" text DEFAULT 'prepare' NOT NULL,
	"flipped" boolean DEFAULT false NOT NULL,
	"target_was_departed" boolean DEFAULT false NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"started_by" text NOT NULL,
	"steps" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"progress" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"freeze_ms" integer,
	"error" text,
	CONSTRAINT "moves_mode_valid" CHECK ("control"."moves"."mode" in ('offline','online')),
	CONSTRAINT "moves_status_valid" CHECK ("control"."moves"."status" in ('running','succeeded','failed'))
);
--> statement-breakpoint
ALTER TABLE "control"."moves" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE UNIQUE INDEX "moves_one_running_per_customer" ON "control"."moves" USING btree ("tenant_id") WHERE "control"."moves"."status" = 'running';--> statement-breakpoint
CREATE INDEX "moves_started_idx" ON "control"."moves" USING btree ("started_at");--> statement-breakpoint
CREATE POLICY "moves_tenant_isolation" ON "control"."moves" AS PERMISSIVE FOR ALL TO public USING ("tenant_id" = (select nullif(current_setting('app.tenant_id', true), ''))) WITH CHECK ("tenant_id" = (select nullif(current_setting('app.tenant_id', true), '')));