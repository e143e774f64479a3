-- Each customer's rows per data-plane table, kept as rows change (docs/architecture.md §8):
-- every registered database runs this, and lib/usage/counters.ts puts the triggers on each
-- customer table there. A statement that inserts or deletes appends one row per customer it
-- touched, +n or -n (transition tables), so writers never wait for one another on a shared
-- counter; the snapshot sums them and folds them together (tally.compact). A table's figure is
-- the sum of its rows, whatever its size. The reconcile compares it with an exact count.
CREATE SCHEMA tally;
--> statement-breakpoint
-- The table by oid, so a rename keeps its counts; no app role reads or writes here but through
-- the functions below (the platform role reads, for the snapshot). Keyed by customer_id, not
-- tenant_id, as placement.held is: this is no customer's data, so it is not under the guard.
CREATE TABLE tally.row_counts (
  relid oid NOT NULL,
  customer_id text NOT NULL,
  n bigint NOT NULL
);
--> statement-breakpoint
-- The trigger functions are the owner's: a customer's statement may add to its own tables'
-- counts through them, and nothing else. Every name in them is qualified.
CREATE FUNCTION tally.count_rows() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO tally.row_counts (relid, customer_id, n)
    SELECT TG_RELID, i.tenant_id, pg_catalog.count(*) FROM inserted i GROUP BY i.tenant_id;
  ELSE
    INSERT INTO tally.row_counts (relid, customer_id, n)
    SELECT TG_RELID, d.tenant_id, -pg_catalog.count(*) FROM deleted d GROUP BY d.tenant_id;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- A row whose customer changes (only the owner's work does that: RLS keeps the app's roles to
-- their own customer): a row-level trigger that fires only when tenant_id is in the SET list.
CREATE FUNCTION tally.count_moved() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
  INSERT INTO tally.row_counts (relid, customer_id, n)
  VALUES (TG_RELID, OLD.tenant_id, -1), (TG_RELID, NEW.tenant_id, 1);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION tally.count_truncated() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
  DELETE FROM tally.row_counts WHERE relid = TG_RELID;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- Folds each table's rows per customer into one (and drops those of tables that are gone).
-- Rows appended meanwhile are not in this statement's snapshot: they stay as they are.
CREATE FUNCTION tally.compact() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  kept bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('tenantry.tally-compact'));
  WITH gone AS (DELETE FROM tally.row_counts RETURNING relid, customer_id, n),
       folded AS (
         INSERT INTO tally.row_counts (relid, customer_id, n)
         SELECT g.relid, g.customer_id, sum(g.n) FROM gone g
          WHERE EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = g.relid)
          GROUP BY 1, 2 HAVING sum(g.n) <> 0
         RETURNING 1)
  SELECT count(*) INTO kept FROM folded;
  RETURN kept;
END
$$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA tally TO tenantry_platform;
--> statement-breakpoint
GRANT SELECT ON tally.row_counts TO tenantry_platform;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION tally.compact() FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION tally.compact() TO tenantry_platform;
