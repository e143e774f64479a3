-- A snapshot keeps one row per customer and run, its figures as one document, instead of a row
-- per figure (docs/architecture.md §8); the snapshot rolls old runs up (lib/usage/rollup.ts),
-- deleting as the platform role. The figures already taken are folded, not lost.
CREATE TEMPORARY TABLE usage_folded ON COMMIT DROP AS
  SELECT run_id, tenant_id, min(taken_at) AS taken_at, jsonb_object_agg(metric, value) AS figures
    FROM control.usage_snapshots GROUP BY 1, 2;
--> statement-breakpoint
TRUNCATE control.usage_snapshots;
--> statement-breakpoint
DROP INDEX "control"."usage_snapshots_tenant_metric_taken_idx";--> statement-breakpoint
DROP INDEX "control"."usage_snapshots_run_idx";--> statement-breakpoint
ALTER TABLE "control"."usage_snapshots" DROP COLUMN "id";--> statement-breakpoint
ALTER TABLE "control"."usage_snapshots" DROP COLUMN "metric";--> statement-breakpoint
ALTER TABLE "control"."usage_snapshots" DROP COLUMN "value";--> statement-breakpoint
ALTER TABLE "control"."usage_snapshots" ADD COLUMN "figures" jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "control"."usage_snapshots" ADD CONSTRAINT "usage_snapshots_run_id_tenant_id_pk" PRIMARY KEY("run_id","tenant_id");--> statement-breakpoint
INSERT INTO control.usage_snapshots (run_id, tenant_id, taken_at, figures)
  SELECT run_id, tenant_id, taken_at, figures FROM usage_folded;
--> statement-breakpoint
CREATE INDEX "usage_runs_started_idx" ON "control"."usage_runs" USING btree ("started_at");--> statement-breakpoint
GRANT DELETE ON control.usage_snapshots TO tenantry_platform;
--> statement-breakpoint
GRANT DELETE ON control.usage_runs TO tenantry_platform;
