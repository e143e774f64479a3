-- A customer's audited actions in 30 days, kept where the events are sealed (docs/architecture.md
-- §8): the sealer, which reads every event once, counts each batch's events per chain and day
-- (UTC) into control.audit_daily, and drops the days no 30-day window reaches. It also keeps
-- each chain's latest event time on its head (audit_chain.last_at, migration 0079). The usage snapshot
-- then sums a customer's whole days from there and reads from the log only the window's first,
-- partial day and the events not sealed yet, instead of 30 days of every customer's events.
CREATE OR REPLACE FUNCTION control.seal_audit_events(batch int) RETURNS int
LANGUAGE plpgsql SET search_path = pg_catalog, control AS $$
DECLARE
  e control.audit_events;
  head control.audit_chain;
  ids bigint[] := '{}';
  seqs bigint[] := '{}';
  prevs text[] := '{}';
  hashes text[] := '{}';
  days date[] := '{}';
  chains text[] := '{}';
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('control.seal_audit_events'));
  FOR e IN
    SELECT b.* FROM (SELECT * FROM control.audit_events WHERE hash IS NULL ORDER BY id LIMIT batch) b
     ORDER BY coalesce(b.tenant_id, ''), b.id
  LOOP
    IF head.chain IS DISTINCT FROM coalesce(e.tenant_id, '') THEN
      IF head.chain IS NOT NULL THEN
        UPDATE control.audit_chain SET seq = head.seq, last_hash = head.last_hash, last_at = head.last_at
         WHERE chain = head.chain;
      END IF;
      SELECT * INTO head FROM control.audit_chain WHERE chain = coalesce(e.tenant_id, '');
      IF NOT FOUND THEN
        INSERT INTO control.audit_chain (chain, seq) VALUES (coalesce(e.tenant_id, ''), 0) RETURNING * INTO head;
      END IF;
    END IF;
    e.chain_seq := head.seq + 1;
    e.prev_hash := head.last_hash;
    e.hash := control.audit_event_hash(e.prev_hash, e);
    head.seq := e.chain_seq;
    head.last_hash := e.hash;
    head.last_at := greatest(head.last_at, e.at);
    ids := array_append(ids, e.id);
    seqs := array_append(seqs, e.chain_seq);
    prevs := array_append(prevs, e.prev_hash);
    hashes := array_append(hashes, e.hash);
    days := array_append(days, (e.at AT TIME ZONE 'UTC')::date);
    chains := array_append(chains, coalesce(e.tenant_id, ''));
  END LOOP;
  IF head.chain IS NOT NULL THEN
    UPDATE control.audit_chain SET seq = head.seq, last_hash = head.last_hash, last_at = head.last_at
     WHERE chain = head.chain;
  END IF;
  UPDATE control.audit_events a
     SET chain_seq = s.chain_seq, prev_hash = s.prev_hash, hash = s.hash
    FROM unnest(ids, seqs, prevs, hashes) AS s(id, chain_seq, prev_hash, hash)
   WHERE a.id = s.id;
  -- The day counts, only when the batch sealed something: the sealer runs every 200 ms.
  IF cardinality(ids) > 0 THEN
    INSERT INTO control.audit_daily AS d (day, chain, events)
    SELECT s.day, s.chain, count(*) FROM unnest(days, chains) AS s(day, chain) GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (day, chain) DO UPDATE SET events = d.events + excluded.events;
    -- Days no 30-day window reaches any more.
    DELETE FROM control.audit_daily WHERE day < (now() AT TIME ZONE 'UTC')::date - 31;
  END IF;
  RETURN cardinality(ids);
END
$$;
--> statement-breakpoint
-- The days a window can still reach, from the sealed events, read with RLS not forced on the
-- events for this transaction (the owner may not bypass it otherwise).
ALTER TABLE control.audit_events NO FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
INSERT INTO control.audit_daily (day, chain, events)
SELECT (at AT TIME ZONE 'UTC')::date, coalesce(tenant_id, ''), count(*) FROM control.audit_events
 WHERE hash IS NOT NULL
   AND at >= (((now() AT TIME ZONE 'UTC')::date - 31)::timestamp AT TIME ZONE 'UTC')
 GROUP BY 1, 2;
--> statement-breakpoint
ALTER TABLE control.audit_events FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON control.audit_daily TO tenantry_platform;
