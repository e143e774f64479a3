ALTER TABLE control.moves FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT ON control.moves TO tenantry_platform;
--> statement-breakpoint
-- Where a customer's rows may be written, held at each database (docs/architecture.md §13):
-- every registered database runs these migrations. A customer moved away is `departed` here,
-- and the app's roles can then neither write its rows (the guard trigger on each customer
-- table) nor open its data here (placement.check_here, in the data door's prelude): a client
-- with a stale route learns it at once instead of writing where nobody reads. While a move
-- freezes a customer it holds an exclusive advisory lock; each write of the customer first
-- takes the shared one, so writes wait for the freeze instead of failing or being lost.
CREATE SCHEMA placement;
--> statement-breakpoint
-- Keyed by customer_id, not tenant_id: this is no customer's data, and no app role reads it.
CREATE TABLE placement.held (
  customer_id text PRIMARY KEY,
  state text NOT NULL CHECK (state IN ('departed')),
  since timestamptz NOT NULL DEFAULT now()
);
--> statement-breakpoint
GRANT USAGE ON SCHEMA placement TO tenantry_tenant, tenantry_platform;
--> statement-breakpoint
-- The owner's function: it answers for one customer, and shows no role the list of others.
CREATE FUNCTION placement.check_here(tenant text) RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM placement.held h WHERE h.customer_id = tenant) THEN
    RAISE EXCEPTION 'customer % has moved to another database', tenant USING ERRCODE = 'TNMOV';
  END IF;
END
$$;
--> statement-breakpoint
CREATE FUNCTION placement.guard_writes() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  tenant text := nullif(current_setting('app.tenant_id', true), '');
BEGIN
  -- The app's roles only: the owner's own work (a move's copy and cleanup) passes.
  IF tenant IS NOT NULL AND current_user IN ('tenantry_tenant', 'tenantry_platform', 'tenantry_app') THEN
    PERFORM pg_advisory_xact_lock_shared(hashtext('tenantry.move'), hashtext(tenant));
    PERFORM placement.check_here(tenant);
  END IF;
  RETURN NULL;
END
$$;
