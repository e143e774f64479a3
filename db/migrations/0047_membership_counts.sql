-- customers.user_count is kept by the memberships' statement-level triggers: one UPDATE per
-- customer a statement touched, however many rows it wrote (transition tables). The
-- customer list sorts by it through an index instead of counting memberships per page.
-- The tenant role may change only its own customer's count (RLS), as it changes only its
-- own memberships; lib/customers/user-counts.ts reconciles the counts and reports drift.
CREATE FUNCTION control.count_memberships() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE control.customers c SET user_count = c.user_count + d.n
      FROM (SELECT tenant_id, count(*)::int AS n FROM added GROUP BY 1) d
     WHERE c.id = d.tenant_id;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE control.customers c SET user_count = c.user_count - d.n
      FROM (SELECT tenant_id, count(*)::int AS n FROM removed GROUP BY 1) d
     WHERE c.id = d.tenant_id;
  ELSE
    UPDATE control.customers c SET user_count = c.user_count + d.n
      FROM (SELECT tenant_id, sum(n)::int AS n
              FROM (SELECT tenant_id, 1 AS n FROM added
                    UNION ALL SELECT tenant_id, -1 FROM removed) moved
             GROUP BY 1 HAVING sum(n) <> 0) d
     WHERE c.id = d.tenant_id;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER memberships_count_insert AFTER INSERT ON control.memberships
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION control.count_memberships();
--> statement-breakpoint
CREATE TRIGGER memberships_count_delete AFTER DELETE ON control.memberships
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION control.count_memberships();
--> statement-breakpoint
CREATE TRIGGER memberships_count_update AFTER UPDATE ON control.memberships
  REFERENCING OLD TABLE AS removed NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION control.count_memberships();
--> statement-breakpoint
CREATE FUNCTION control.zero_membership_counts() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE control.customers SET user_count = 0 WHERE user_count <> 0;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER memberships_count_truncate AFTER TRUNCATE ON control.memberships
  FOR EACH STATEMENT EXECUTE FUNCTION control.zero_membership_counts();
--> statement-breakpoint
GRANT UPDATE (user_count) ON control.customers TO tenantry_tenant;
--> statement-breakpoint
UPDATE control.customers c SET user_count = m.n
  FROM (SELECT tenant_id, count(*)::int AS n FROM control.memberships GROUP BY 1) m
 WHERE c.id = m.tenant_id;
