-- The audit chains are sealed in batches by one sequencer, shortly after insert, instead of by
-- every insert under its chain's head lock (docs/architecture.md §7). Sixteen writers for one
-- customer queued on that lock (bench:audit: 0.29× an unchained insert). Now an insert takes
-- no lock: it arrives unsealed (no position, no hashes), and control.seal_audit_events gives
-- each committed event its position and hashes, chain by chain, in the order it finds them.
-- An event is tamper-evident from its seal; verify seals what is pending first and reports
-- what it still finds unsealed.
DROP TRIGGER audit_events_chain ON control.audit_events;
--> statement-breakpoint
DROP FUNCTION control.audit_events_chain();
--> statement-breakpoint
-- An insert cannot bring its own seal: the sequencer alone places events in their chains.
CREATE FUNCTION control.audit_events_unsealed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.chain_seq := NULL;
  NEW.prev_hash := NULL;
  NEW.hash := NULL;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER audit_events_unsealed BEFORE INSERT ON control.audit_events
  FOR EACH ROW EXECUTE FUNCTION control.audit_events_unsealed();
--> statement-breakpoint
CREATE INDEX audit_events_unsealed_idx ON control.audit_events (id) WHERE hash IS NULL;
--> statement-breakpoint
-- UPDATE, DELETE and TRUNCATE stay refused, with two exceptions: the owner's retention job
-- deletes, and sealing gives an unsealed event its position and hashes, once, changing
-- nothing else of it.
CREATE OR REPLACE FUNCTION control.audit_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('app.audit_retention', true) = 'on'
     AND session_user = (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = TG_RELID) THEN
    RETURN OLD;
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.hash IS NULL AND NEW.hash IS NOT NULL AND NEW.chain_seq IS NOT NULL
     AND to_jsonb(NEW) - '{chain_seq,prev_hash,hash}'::text[]
       = to_jsonb(OLD) - '{chain_seq,prev_hash,hash}'::text[] THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
--> statement-breakpoint
-- Seals up to `batch` committed events in id order and returns how many. One sequencer at a
-- time: a second call waits for the first, then finds their events sealed. It runs with the
-- caller's rights (tenantry_platform, which reads every chain past RLS).
CREATE FUNCTION control.seal_audit_events(batch int) RETURNS int
LANGUAGE plpgsql SET search_path = pg_catalog, control AS $$
DECLARE
  e control.audit_events;
  head control.audit_chain;
  key text;
  sealed int := 0;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('control.seal_audit_events'));
  FOR e IN SELECT * FROM control.audit_events WHERE hash IS NULL ORDER BY id LIMIT batch LOOP
    key := coalesce(e.tenant_id, '');
    SELECT * INTO head FROM control.audit_chain WHERE chain = key;
    IF NOT FOUND THEN
      INSERT INTO control.audit_chain (chain, seq) VALUES (key, 0) RETURNING * INTO head;
    END IF;
    e.chain_seq := head.seq + 1;
    e.prev_hash := head.last_hash;
    e.hash := control.audit_event_hash(e.prev_hash, e);
    UPDATE control.audit_events
       SET chain_seq = e.chain_seq, prev_hash = e.prev_hash, hash = e.hash
     WHERE id = e.id;
    UPDATE control.audit_chain SET seq = e.chain_seq, last_hash = e.hash WHERE chain = key;
    sealed := sealed + 1;
  END LOOP;
  RETURN sealed;
END
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION control.seal_audit_events(int) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION control.seal_audit_events(int) TO tenantry_platform;
--> statement-breakpoint
GRANT UPDATE (chain_seq, prev_hash, hash) ON control.audit_events TO tenantry_platform;
--> statement-breakpoint
GRANT INSERT, UPDATE ON control.audit_chain TO tenantry_platform;
