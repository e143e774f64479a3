-- Folds each table's rows per customer into one, and drops those of tables that are gone or
-- that sum to nothing; only the (table, customer) pairs that need it are rewritten, so a
-- snapshot's fold costs one read of the table and writes in proportion to what changed since
-- the last one (before, it deleted and re-inserted every row every time: customers × tables
-- rows and their WAL). Rows appended meanwhile are not in this statement's snapshot: they stay
-- as they are.
CREATE OR REPLACE FUNCTION tally.compact() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  kept bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('tenantry.tally-compact'));
  WITH stale AS (
         SELECT r.relid, r.customer_id FROM tally.row_counts r
          GROUP BY 1, 2
         HAVING count(*) > 1 OR sum(r.n) = 0
             OR NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = r.relid)),
       gone AS (
         DELETE FROM tally.row_counts r USING stale s
          WHERE r.relid = s.relid AND r.customer_id = s.customer_id
         RETURNING r.relid, r.customer_id, r.n),
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
