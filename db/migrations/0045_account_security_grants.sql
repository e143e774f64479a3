-- Account security (docs/architecture.md §16). Sessions and reset links are the user's customer's
-- (tenant_id; null for super-admins): forced RLS, a customer's admins read their own users'
-- sessions and end them, and issue their reset links, through the tenant door. Signing in, the
-- request context and redeeming a link go through the system door (the platform role). Second
-- factors are the system door's alone: no tenant context reads a secret, sealed or not.
ALTER TABLE control.sessions FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE control.password_resets FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE control.two_factor ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE control.two_factor FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT, UPDATE (ended_at, end_reason) ON control.sessions TO tenantry_tenant;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON control.sessions TO tenantry_platform;
--> statement-breakpoint
GRANT SELECT, INSERT ON control.password_resets TO tenantry_tenant;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON control.password_resets TO tenantry_platform;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON control.two_factor TO tenantry_platform;
--> statement-breakpoint
-- A customer's admins decide whether its users need a second factor, and suspend its users.
GRANT UPDATE (require_two_factor) ON control.customers TO tenantry_tenant;
--> statement-breakpoint
GRANT UPDATE (status) ON control.users TO tenantry_tenant;
--> statement-breakpoint
CREATE POLICY users_updatable_through_membership ON control.users AS PERMISSIVE FOR UPDATE TO tenantry_tenant
  USING (exists (select 1 from control.memberships m where m.user_id = users.id))
  WITH CHECK (exists (select 1 from control.memberships m where m.user_id = users.id));
--> statement-breakpoint
-- Sessions end with what allowed them: a suspended (disabled) user's, and every session of a
-- customer that is suspended, offboarded or deleted. Triggers, so every path ends them.
CREATE FUNCTION control.end_sessions_of_disabled_user() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status <> 'active' AND NEW.status IS DISTINCT FROM OLD.status THEN
    UPDATE control.sessions SET ended_at = now(), end_reason = 'user suspended'
      WHERE user_id = NEW.id AND ended_at IS NULL;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER users_end_sessions AFTER UPDATE OF status ON control.users
  FOR EACH ROW EXECUTE FUNCTION control.end_sessions_of_disabled_user();
--> statement-breakpoint
CREATE FUNCTION control.end_sessions_of_blocked_customer() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status IN ('suspended', 'offboarding', 'deleted', 'erased') AND NEW.status IS DISTINCT FROM OLD.status THEN
    UPDATE control.sessions SET ended_at = now(), end_reason = 'customer ' || NEW.status
      WHERE tenant_id = NEW.id AND ended_at IS NULL;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER customers_end_sessions AFTER UPDATE OF status ON control.customers
  FOR EACH ROW EXECUTE FUNCTION control.end_sessions_of_blocked_customer();
