-- A snapshot's figures as an array of bigints indexed by the metric's place in usage_metrics,
-- instead of a JSON document repeating every metric's name in every row: about 3× smaller
-- (docs/architecture.md §8). The figures already taken are converted, not lost, by a rewrite of
-- the table (ALTER … TYPE … USING): an UPDATE and a dropped column would leave every kept row
-- carrying its old document.
CREATE TABLE "control"."usage_metrics" (
	"id" integer PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	CONSTRAINT "usage_metrics_name_unique" UNIQUE("name")
);
--> statement-breakpoint
INSERT INTO control.usage_metrics (id, name)
  SELECT row_number() OVER (ORDER BY name), name
    FROM (SELECT DISTINCT jsonb_object_keys(figures) AS name FROM control.usage_snapshots) k;
--> statement-breakpoint
CREATE FUNCTION pg_temp.usage_places(figures jsonb) RETURNS bigint[]
  LANGUAGE sql STABLE
  RETURN coalesce((SELECT array_agg((figures ->> m.name)::bigint ORDER BY m.id) FROM control.usage_metrics m), '{}');
--> statement-breakpoint
ALTER TABLE "control"."usage_snapshots" ALTER COLUMN "figures" SET DATA TYPE bigint[] USING pg_temp.usage_places(figures);
--> statement-breakpoint
-- One snapshot's figures as a document (metric name to value), for reading one row at a time.
CREATE FUNCTION control.usage_document(figures bigint[]) RETURNS jsonb
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN (SELECT coalesce(jsonb_object_agg(m.name, figures[m.id]), '{}')
            FROM control.usage_metrics m WHERE figures[m.id] IS NOT NULL);
--> statement-breakpoint
GRANT SELECT ON control.usage_metrics TO tenantry_tenant;
--> statement-breakpoint
GRANT SELECT, INSERT ON control.usage_metrics TO tenantry_platform;
