-- tally_moved becomes a BEFORE trigger (lib/usage/counters.ts makes it so at its next pass): an
-- UPDATE that moves a row to another partition runs as a delete and an insert, which fire no
-- AFTER UPDATE row trigger and neither statement trigger, so a customer change that moved a
-- partition went uncounted. A BEFORE UPDATE row trigger fires for it, on the row's partition.
-- It returns the row, which a BEFORE trigger must for the update to go ahead (an AFTER
-- trigger's return is ignored, so the triggers not yet remade keep working meanwhile). If the
-- statement fails after it, its count is rolled back with the statement.
CREATE OR REPLACE FUNCTION tally.count_moved() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  counted oid := coalesce(pg_catalog.pg_partition_root(TG_RELID), TG_RELID);
BEGIN
  INSERT INTO tally.row_counts (relid, customer_id, n)
  VALUES (counted, OLD.tenant_id, -1), (counted, NEW.tenant_id, 1);
  RETURN NEW;
END
$$;
