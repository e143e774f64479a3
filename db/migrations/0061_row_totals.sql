-- The row counters' folded counts get a table of their own, keyed (docs/architecture.md §8):
-- tally.row_totals holds one row per table and customer; tally.row_counts keeps only what the
-- triggers appended since the last fold. Before, both lived in tally.row_counts, which has no
-- key (writers append to it on every statement), so each fold read every count there was
-- (customers × tables rows, 3–4 s at 3.2 M) to find the few that changed, and reading one
-- customer's counts scanned it all too. Now the fold reads only the appended rows, and one
-- customer's totals are an index probe. tally.counts is the two together: what readers read.
-- The counts already in row_counts stay there, appended rows as far as the new fold knows: the
-- next fold moves them into row_totals, without holding up writers as a move here would.
CREATE TABLE tally.row_totals (
  relid oid NOT NULL,
  customer_id text NOT NULL,
  n bigint NOT NULL,
  PRIMARY KEY (relid, customer_id)
);
--> statement-breakpoint
CREATE VIEW tally.counts WITH (security_invoker = true) AS
  SELECT relid, customer_id, n FROM tally.row_totals
  UNION ALL
  SELECT relid, customer_id, n FROM tally.row_counts;
--> statement-breakpoint
-- Folds the rows appended since the last fold into the totals, and drops the totals that sum to
-- nothing or whose table is gone. It reads the appended rows and, for the dropped tables, one
-- index probe per table counted: its cost follows what changed, not customers × tables. Rows
-- appended meanwhile are not in this statement's snapshot: they stay for the next fold.
CREATE OR REPLACE FUNCTION tally.compact() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  folded bigint;
  emptied_relids oid[];
  emptied_customers text[];
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('tenantry.tally-compact'));
  WITH appended AS (DELETE FROM tally.row_counts RETURNING relid, customer_id, n),
       summed AS (
         SELECT a.relid, a.customer_id, sum(a.n) AS n FROM appended a
          WHERE EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = a.relid)
          GROUP BY 1, 2 HAVING sum(a.n) <> 0),
       added AS (
         INSERT INTO tally.row_totals AS t (relid, customer_id, n)
         SELECT s.relid, s.customer_id, s.n FROM summed s
         ON CONFLICT (relid, customer_id) DO UPDATE SET n = t.n + excluded.n
         RETURNING t.relid, t.customer_id, t.n)
  SELECT count(*), array_agg(a.relid) FILTER (WHERE a.n = 0),
         array_agg(a.customer_id) FILTER (WHERE a.n = 0)
    INTO folded, emptied_relids, emptied_customers
    FROM added a;
  DELETE FROM tally.row_totals t
   USING unnest(emptied_relids, emptied_customers) AS e(relid, customer_id)
   WHERE t.relid = e.relid AND t.customer_id = e.customer_id AND t.n = 0;
  -- The tables counted, one probe each (a loose scan of the key's first column).
  WITH RECURSIVE counted AS (
         SELECT min(t.relid) AS relid FROM tally.row_totals t
         UNION ALL
         SELECT (SELECT min(t.relid) FROM tally.row_totals t WHERE t.relid > c.relid)
           FROM counted c WHERE c.relid IS NOT NULL)
  DELETE FROM tally.row_totals t USING counted c
   WHERE t.relid = c.relid AND NOT EXISTS (SELECT 1 FROM pg_class k WHERE k.oid = c.relid);
  RETURN folded;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION tally.count_truncated() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  DELETE FROM tally.row_counts WHERE relid = TG_RELID;
  DELETE FROM tally.row_totals WHERE relid = TG_RELID;
  RETURN NULL;
END
$$;
--> statement-breakpoint
GRANT SELECT ON tally.row_totals, tally.counts TO tenantry_platform;
