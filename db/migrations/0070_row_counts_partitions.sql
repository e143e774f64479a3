-- The row counters on partitions too (docs/architecture.md §8). A statement on a partition fires
-- the partition's statement triggers, not its table's, so a write straight to one was not
-- counted; and tally_moved, a row trigger, is cloned onto the partitions and fired there with
-- the partition's oid, so a customer change through the table was counted under the partition,
-- which no reader reads. lib/usage/counters.ts now puts the insert and delete triggers on every
-- partition as well, and the counts go to the table the partitions divide. A statement names one
-- table, so nothing is counted twice.
CREATE OR REPLACE FUNCTION tally.count_rows() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  counted oid := coalesce(pg_catalog.pg_partition_root(TG_RELID), TG_RELID);
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO tally.row_counts (relid, customer_id, n)
    SELECT counted, i.tenant_id, pg_catalog.count(*) FROM inserted i GROUP BY i.tenant_id;
  ELSE
    INSERT INTO tally.row_counts (relid, customer_id, n)
    SELECT counted, d.tenant_id, -pg_catalog.count(*) FROM deleted d GROUP BY d.tenant_id;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION tally.count_moved() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  counted oid := coalesce(pg_catalog.pg_partition_root(TG_RELID), TG_RELID);
BEGIN
  INSERT INTO tally.row_counts (relid, customer_id, n)
  VALUES (counted, OLD.tenant_id, -1), (counted, NEW.tenant_id, 1);
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- TRUNCATE of one partition takes away that partition's rows only: counted before they go, per
-- customer (it reads the partition, which TRUNCATE otherwise would not). On the leaf partitions
-- only, so a truncated sub-partitioned table is counted once, by its leaves. TRUNCATE of the
-- whole table fires these too, and then the table's own trigger (tally.count_truncated, after
-- the truncation) clears every count of it, these included.
CREATE FUNCTION tally.count_partition_truncated() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
  EXECUTE pg_catalog.format(
    'INSERT INTO tally.row_counts (relid, customer_id, n)
     SELECT $1, p.tenant_id, -pg_catalog.count(*) FROM ONLY %I.%I p GROUP BY p.tenant_id',
    TG_TABLE_SCHEMA, TG_TABLE_NAME)
  USING pg_catalog.pg_partition_root(TG_RELID);
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- What tally_moved counted under a partition until now: no reader reads it. The table's count
-- lacks it instead, which the reconcile finds and mends.
DELETE FROM tally.row_counts r USING pg_class c WHERE c.oid = r.relid AND c.relispartition;
--> statement-breakpoint
DELETE FROM tally.row_totals r USING pg_class c WHERE c.oid = r.relid AND c.relispartition;
