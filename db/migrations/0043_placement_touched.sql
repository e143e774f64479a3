-- What a customer writes while it moves (docs/architecture.md §13): an online move verifies
-- every table while replication runs, then, with the customer's writes held, verifies again
-- only the tables written since it began to watch — so the freeze no longer grows with the
-- customer's size. The guard trigger notes them; only the owner reads and clears them.
CREATE TABLE placement.moving (
  customer_id text PRIMARY KEY,
  since timestamptz NOT NULL DEFAULT now()
);
--> statement-breakpoint
CREATE TABLE placement.touched (
  customer_id text NOT NULL,
  relid oid NOT NULL,
  PRIMARY KEY (customer_id, relid)
);
--> statement-breakpoint
-- The owner's function, as check_here: it notes one write, and shows no role anything.
CREATE FUNCTION placement.note_write(tenant text, rel oid) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM placement.moving m WHERE m.customer_id = tenant) THEN
    INSERT INTO placement.touched (customer_id, relid) VALUES (tenant, rel) ON CONFLICT DO NOTHING;
  END IF;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION placement.guard_writes() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  tenant text := nullif(current_setting('app.tenant_id', true), '');
BEGIN
  IF tenant IS NOT NULL AND NOT pg_has_role(session_user, (SELECT c.relowner FROM pg_class c WHERE c.oid = TG_RELID), 'MEMBER') THEN
    PERFORM pg_advisory_xact_lock_shared(hashtext('tenantry.move'), hashtext(tenant));
    PERFORM placement.check_here(tenant);
    PERFORM placement.note_write(tenant, TG_RELID);
  END IF;
  RETURN NULL;
END
$$;
