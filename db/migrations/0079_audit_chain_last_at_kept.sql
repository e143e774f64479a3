-- A customer's last activity, kept where its chain's head already is (docs/architecture.md §8):
-- the sealer, which reads every event once, notes the latest event's time in each chain it seals
-- (audit_chain.last_at), so the usage snapshot reads one row per customer instead of the
-- greatest time over the customer's whole log. Events not sealed yet it reads as they are.
CREATE OR REPLACE FUNCTION control.seal_audit_events(batch int) RETURNS int
LANGUAGE plpgsql SET search_path = pg_catalog, control AS $$
DECLARE
  e control.audit_events;
  head control.audit_chain;
  ids bigint[] := '{}';
  seqs bigint[] := '{}';
  prevs text[] := '{}';
  hashes text[] := '{}';
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
  END LOOP;
  IF head.chain IS NOT NULL THEN
    UPDATE control.audit_chain SET seq = head.seq, last_hash = head.last_hash, last_at = head.last_at
     WHERE chain = head.chain;
  END IF;
  UPDATE control.audit_events a
     SET chain_seq = s.chain_seq, prev_hash = s.prev_hash, hash = s.hash
    FROM unnest(ids, seqs, prevs, hashes) AS s(id, chain_seq, prev_hash, hash)
   WHERE a.id = s.id;
  RETURN cardinality(ids);
END
$$;
--> statement-breakpoint
-- The chains sealed so far: their latest event's time, read with RLS not forced on the events
-- for this transaction (the owner may not bypass it otherwise).
ALTER TABLE control.audit_events NO FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
UPDATE control.audit_chain c SET last_at = m.at
  FROM (SELECT coalesce(tenant_id, '') AS chain, max(at) AS at FROM control.audit_events
         WHERE hash IS NOT NULL GROUP BY 1) m
 WHERE m.chain = c.chain;
--> statement-breakpoint
ALTER TABLE control.audit_events FORCE ROW LEVEL SECURITY;
