-- The placement guard leaves alone the sessions of the tables' owner (a move's copy into a
-- database the customer once left, its cleanup), whatever role they SET; every other session —
-- the app's login and any client of the data plane — is held and refused as before.
CREATE OR REPLACE FUNCTION placement.guard_writes() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  tenant text := nullif(current_setting('app.tenant_id', true), '');
BEGIN
  IF tenant IS NOT NULL AND NOT pg_has_role(session_user, (SELECT c.relowner FROM pg_class c WHERE c.oid = TG_RELID), 'MEMBER') THEN
    PERFORM pg_advisory_xact_lock_shared(hashtext('tenantry.move'), hashtext(tenant));
    PERFORM placement.check_here(tenant);
  END IF;
  RETURN NULL;
END
$$;
