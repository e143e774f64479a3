-- A switch ends with what allowed it: when its customer is suspended, offboarded or deleted, and
-- when its super-admin loses the role (or the account is disabled). Triggers, so every path —
-- the console, a script, plain SQL — ends them, each on the record in the customer's trail. A
-- switch that is ended never resumes: re-promoting the admin opens nothing.
CREATE FUNCTION control.end_switches(where_clause text, key text, reason text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  ended record;
BEGIN
  FOR ended IN EXECUTE format(
    'update control.switches set ended_at = now(), end_reason = %L where ended_at is null and %s = %L
      returning id, super_admin_id, super_admin_email, tenant_id', reason, where_clause, key)
  LOOP
    INSERT INTO control.audit_events (actor_user_id, actor_email, actor_role, acting_as, tenant_id, action, target_type, target_id, outcome, details)
    VALUES (ended.super_admin_id, ended.super_admin_email, 'system', ended.id, ended.tenant_id, 'switches.end', 'switch', ended.id::text, 'ok',
            jsonb_build_object('reason', reason));
  END LOOP;
END
$$;
--> statement-breakpoint
CREATE FUNCTION control.end_switches_of_blocked_customer() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status IN ('suspended', 'offboarding', 'deleted') AND NEW.status IS DISTINCT FROM OLD.status THEN
    PERFORM control.end_switches('tenant_id', NEW.id, 'customer ' || NEW.status);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER customers_end_switches AFTER UPDATE OF status ON control.customers
  FOR EACH ROW EXECUTE FUNCTION control.end_switches_of_blocked_customer();
--> statement-breakpoint
CREATE FUNCTION control.end_switches_of_demoted_admin() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.platform_role = 'super_admin' AND (NEW.platform_role IS DISTINCT FROM 'super_admin' OR NEW.status <> 'active') THEN
    PERFORM control.end_switches('super_admin_id', NEW.id::text, 'super-admin role removed');
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER users_end_switches AFTER UPDATE OF platform_role, status ON control.users
  FOR EACH ROW EXECUTE FUNCTION control.end_switches_of_demoted_admin();
