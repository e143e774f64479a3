-- What ends the API limiter's leases on every app instance at once (lib/api/limits.ts): a key
-- revoked or its expiry changed, a customer's status, plan or overrides changed, any plan changed.
-- Each app instance LISTENs on tenantry_leases (db/listen.ts); a notification is sent when the
-- change commits.
CREATE FUNCTION control.notify_leases() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'api_keys' THEN
    PERFORM pg_notify('tenantry_leases', 'key:' || NEW.id);
  ELSIF TG_TABLE_NAME = 'customers' THEN
    PERFORM pg_notify('tenantry_leases', 'customer:' || NEW.id);
  ELSE
    PERFORM pg_notify('tenantry_leases', 'all');
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER api_keys_notify_leases AFTER UPDATE OF revoked_at, expires_at ON control.api_keys
  FOR EACH ROW EXECUTE FUNCTION control.notify_leases();
--> statement-breakpoint
CREATE TRIGGER customers_notify_leases AFTER UPDATE OF status, plan, quota_overrides ON control.customers
  FOR EACH ROW EXECUTE FUNCTION control.notify_leases();
--> statement-breakpoint
CREATE TRIGGER plans_notify_leases AFTER UPDATE ON control.plans
  FOR EACH STATEMENT EXECUTE FUNCTION control.notify_leases();
