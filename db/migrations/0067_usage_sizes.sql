-- Each customer's rows as of its latest snapshot, with an index on them (docs/architecture.md §13):
-- a move queue read every customer's latest snapshot to find those above its threshold, 3.8 s at
-- a million customers, on every step and every view of the Databases page. The snapshot keeps
-- this table beside the rows it writes; it starts from each customer's latest snapshot.
CREATE TABLE "control"."usage_sizes" (
	"tenant_id" text PRIMARY KEY NOT NULL,
	"taken_at" timestamp with time zone NOT NULL,
	"rows" bigint
);
--> statement-breakpoint
ALTER TABLE "control"."usage_sizes" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "control"."usage_sizes" ADD CONSTRAINT "usage_sizes_tenant_id_customers_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "control"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "usage_sizes_rows_idx" ON "control"."usage_sizes" USING btree ("rows","tenant_id");--> statement-breakpoint
CREATE POLICY "usage_sizes_tenant_isolation" ON "control"."usage_sizes" AS PERMISSIVE FOR ALL TO public USING ("tenant_id" = (select nullif(current_setting('app.tenant_id', true), ''))) WITH CHECK ("tenant_id" = (select nullif(current_setting('app.tenant_id', true), '')));--> statement-breakpoint
GRANT SELECT ON control.usage_sizes TO tenantry_tenant;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON control.usage_sizes TO tenantry_platform;
--> statement-breakpoint
-- The owner reads every customer's latest snapshot with RLS not forced on it for this one
-- statement (in the migration's transaction), then both tables are forced.
ALTER TABLE control.usage_snapshots NO FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
INSERT INTO control.usage_sizes (tenant_id, taken_at, rows)
SELECT DISTINCT ON (s.tenant_id) s.tenant_id, s.taken_at,
       s.figures[(SELECT m.id FROM control.usage_metrics m WHERE m.name = 'rows.total')]
  FROM control.usage_snapshots s
 ORDER BY s.tenant_id, s.taken_at DESC;
--> statement-breakpoint
ALTER TABLE control.usage_snapshots FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE control.usage_sizes FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
-- Its statistics now, so the queue reads it by its index from the start, not after autovacuum.
ANALYZE control.usage_sizes;
