-- A snapshot run writes only the customers whose figures changed (docs/architecture.md §8); the
-- run records how many it wrote.
ALTER TABLE "control"."usage_runs" ADD COLUMN "changed" integer;--> statement-breakpoint
-- A customer's latest row holds its figures as of the latest run, which the customer's own
-- roles cannot read (usage_runs holds every customer's summary): its time alone, here.
CREATE FUNCTION control.usage_latest_run_at() RETURNS timestamptz
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT max(started_at) FROM control.usage_runs
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION control.usage_latest_run_at() FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION control.usage_latest_run_at() TO tenantry_tenant, tenantry_platform;
