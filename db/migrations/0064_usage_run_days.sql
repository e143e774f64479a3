-- The days (UTC) from `since` on with at least one usage run, for a customer's daily trend
-- (lib/usage/queries.ts): a day without a run (the console was down) is a gap, not the figures
-- of the day before carried over as if measured. The customer's roles cannot read usage_runs
-- (it holds every customer's summary): the days alone, here.
CREATE FUNCTION control.usage_run_days(since date) RETURNS SETOF date
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT DISTINCT (started_at AT TIME ZONE 'UTC')::date FROM control.usage_runs
   WHERE started_at >= since::timestamp AT TIME ZONE 'UTC'
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION control.usage_run_days(date) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION control.usage_run_days(date) TO tenantry_tenant, tenantry_platform;
