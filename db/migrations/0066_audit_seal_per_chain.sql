-- Sealing a batch wrote each chain's head once per event, and checked each event's seal by
-- turning the row into JSON twice (docs/architecture.md §7). With one busy chain, a batch of
-- 2 000 events left 2 000 versions of one head row, and sealing cost about four times the insert
-- (20 000 events on one chain: 1.96 s to seal; 0.59 s now). Now the head is read once per chain
-- in a batch and written once, the batch's events are sealed by one UPDATE, and the append-only
-- trigger compares the columns a seal must not change directly.
CREATE OR REPLACE FUNCTION control.audit_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('app.audit_retention', true) = 'on'
     AND session_user = (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = TG_RELID) THEN
    RETURN OLD;
  END IF;
  -- Sealing gives an unsealed event its position and hashes, once; every other column is the
  -- event's content, which the hash covers, and stays as it was.
  IF TG_OP = 'UPDATE' AND OLD.hash IS NULL AND NEW.hash IS NOT NULL AND NEW.chain_seq IS NOT NULL
     AND (NEW.id, NEW.at, NEW.actor_user_id, NEW.actor_email, NEW.actor_role, NEW.acting_as,
          NEW.tenant_id, NEW.action, NEW.target_type, NEW.target_id, NEW.outcome, NEW.details,
          NEW.ip, NEW.user_agent, NEW.request_id)
         IS NOT DISTINCT FROM
         (OLD.id, OLD.at, OLD.actor_user_id, OLD.actor_email, OLD.actor_role, OLD.acting_as,
          OLD.tenant_id, OLD.action, OLD.target_type, OLD.target_id, OLD.outcome, OLD.details,
          OLD.ip, OLD.user_agent, OLD.request_id) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
--> statement-breakpoint
-- Seals up to `batch` committed events, the oldest first, and returns how many. Within each
-- chain, events take their positions in id order, as before. One sequencer at a time: a second
-- call waits for the first, then finds their events sealed. It runs with the caller's rights
-- (tenantry_platform, which reads every chain past RLS).
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
        UPDATE control.audit_chain SET seq = head.seq, last_hash = head.last_hash WHERE chain = head.chain;
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
    ids := array_append(ids, e.id);
    seqs := array_append(seqs, e.chain_seq);
    prevs := array_append(prevs, e.prev_hash);
    hashes := array_append(hashes, e.hash);
  END LOOP;
  IF head.chain IS NOT NULL THEN
    UPDATE control.audit_chain SET seq = head.seq, last_hash = head.last_hash WHERE chain = head.chain;
  END IF;
  UPDATE control.audit_events a
     SET chain_seq = s.chain_seq, prev_hash = s.prev_hash, hash = s.hash
    FROM unnest(ids, seqs, prevs, hashes) AS s(id, chain_seq, prev_hash, hash)
   WHERE a.id = s.id;
  RETURN cardinality(ids);
END
$$;
