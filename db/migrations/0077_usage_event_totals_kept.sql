-- A customer's metered events per month (UTC) and kind, kept as they change (docs/architecture.md
-- §14): statement-level triggers on control.usage_events add what a statement inserted, one row
-- per customer, month and kind it touched, and take away what it deleted, so this month's events
-- are read from a few rows of control.usage_event_totals, not summed from every event. The
-- triggers run as the writer: the tenant role adds to its own customer's totals (RLS).
CREATE FUNCTION control.total_usage_events() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO control.usage_event_totals AS t (tenant_id, month, kind, events, quantity)
    SELECT a.tenant_id, to_char(a.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM'), a.kind, count(*), sum(a.quantity)
      FROM added a GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (tenant_id, month, kind)
      DO UPDATE SET events = t.events + excluded.events, quantity = t.quantity + excluded.quantity;
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    UPDATE control.usage_event_totals t SET events = t.events - r.events, quantity = t.quantity - r.quantity
      FROM (SELECT d.tenant_id, to_char(d.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month, d.kind,
                   count(*) AS events, sum(d.quantity) AS quantity
              FROM removed d GROUP BY 1, 2, 3) r
     WHERE t.tenant_id = r.tenant_id AND t.month = r.month AND t.kind = r.kind;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER usage_events_total_insert AFTER INSERT ON control.usage_events
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION control.total_usage_events();
--> statement-breakpoint
CREATE TRIGGER usage_events_total_delete AFTER DELETE ON control.usage_events
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION control.total_usage_events();
--> statement-breakpoint
CREATE TRIGGER usage_events_total_update AFTER UPDATE ON control.usage_events
  REFERENCING OLD TABLE AS removed NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION control.total_usage_events();
--> statement-breakpoint
CREATE FUNCTION control.clear_usage_event_totals() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  DELETE FROM control.usage_event_totals;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER usage_events_total_truncate AFTER TRUNCATE ON control.usage_events
  FOR EACH STATEMENT EXECUTE FUNCTION control.clear_usage_event_totals();
--> statement-breakpoint
-- The events so far, every customer's: read with RLS not forced on usage_events for this
-- transaction (the owner may not bypass it otherwise), so the totals start exact. The triggers
-- above already hold writers off until the migration commits.
ALTER TABLE control.usage_events NO FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
INSERT INTO control.usage_event_totals (tenant_id, month, kind, events, quantity)
SELECT tenant_id, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM'), kind, count(*), sum(quantity)
  FROM control.usage_events GROUP BY 1, 2, 3;
--> statement-breakpoint
ALTER TABLE control.usage_events FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE control.usage_event_totals FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON control.usage_event_totals TO tenantry_tenant;
--> statement-breakpoint
GRANT SELECT ON control.usage_event_totals TO tenantry_platform;
