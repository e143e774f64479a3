DROP INDEX "control"."usage_snapshots_run_idx";--> statement-breakpoint
CREATE INDEX "usage_snapshots_tenant_taken_idx" ON "control"."usage_snapshots" USING btree ("tenant_id","taken_at");--> statement-breakpoint
CREATE INDEX "usage_snapshots_run_idx" ON "control"."usage_snapshots" USING btree ("run_id","metric");