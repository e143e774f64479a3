-- The placement guard on partitions too (docs/architecture.md §13): a statement on a partition
-- fires the partition's statement triggers, not its table's, so a write straight to a partition
-- passed the freeze and a departed customer's refusal. The guard now goes on every partition as
-- well (lib/placement/guards.ts), and notes a write to one as a write to the table it divides,
-- which is what an online move verifies again under the freeze.
CREATE OR REPLACE FUNCTION placement.guard_writes() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  tenant text := nullif(current_setting('app.tenant_id', true), '');
BEGIN
  IF tenant IS NOT NULL AND NOT pg_has_role(session_user, (SELECT c.relowner FROM pg_class c WHERE c.oid = TG_RELID), 'MEMBER') THEN
    PERFORM pg_advisory_xact_lock_shared(hashtext('tenantry.move'), hashtext(tenant));
    PERFORM placement.check_here(tenant);
    PERFORM placement.note_write(tenant, coalesce(pg_partition_root(TG_RELID), TG_RELID));
  END IF;
  RETURN NULL;
END
$$;
