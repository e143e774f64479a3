ALTER TABLE "control"."adoption_runs" ADD COLUMN "before_catalog" jsonb;--> statement-breakpoint
ALTER TABLE "control"."adoption_runs" ADD COLUMN "report" jsonb;--> statement-breakpoint
CREATE INDEX "adoption_runs_schema_started_idx" ON "control"."adoption_runs" USING btree ("schema_name","started_at");