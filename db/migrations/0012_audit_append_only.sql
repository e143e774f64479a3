-- The audit log is append-only and hash-chained (DESIGN §3 invariant 7).
--
-- Each event's hash covers its content and the previous event's hash. The chain head lives in
-- control.audit_chain; the insert trigger locks it (SELECT … FOR UPDATE re-reads the latest
-- head after waiting), so concurrent writers queue and the chain never forks or skips.
-- The content is serialised as a JSON array: unambiguous, and independent of session settings
-- (the time is taken as epoch microseconds).
CREATE FUNCTION control.audit_event_hash(prev text, e control.audit_events) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT encode(sha256(convert_to(jsonb_build_array(
    prev, e.chain_seq, e.id, (extract(epoch FROM e.at) * 1000000)::bigint,
    e.actor_user_id, e.actor_email, e.actor_role, e.acting_as, e.tenant_id, e.action,
    e.target_type, e.target_id, e.outcome, e.details, e.ip, e.user_agent, e.request_id
  )::text, 'UTF8')), 'hex')
$$;
--> statement-breakpoint
INSERT INTO control.audit_chain (chain, seq, last_hash) VALUES ('main', 0, NULL);
--> statement-breakpoint
-- Events written before the chain existed are chained now, in id order.
DO $$
DECLARE e control.audit_events; head control.audit_chain;
BEGIN
  ALTER TABLE control.audit_events DISABLE ROW LEVEL SECURITY;
  FOR e IN SELECT * FROM control.audit_events ORDER BY id LOOP
    SELECT * INTO head FROM control.audit_chain WHERE chain = 'main';
    e.chain_seq := head.seq + 1;
    e.prev_hash := head.last_hash;
    e.hash := control.audit_event_hash(e.prev_hash, e);
    UPDATE control.audit_events SET chain_seq = e.chain_seq, prev_hash = e.prev_hash, hash = e.hash WHERE id = e.id;
    UPDATE control.audit_chain SET seq = e.chain_seq, last_hash = e.hash WHERE chain = 'main';
  END LOOP;
  ALTER TABLE control.audit_events ENABLE ROW LEVEL SECURITY;
END
$$;
--> statement-breakpoint
CREATE FUNCTION control.audit_events_chain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, control AS $$
DECLARE head control.audit_chain;
BEGIN
  SELECT * INTO head FROM control.audit_chain WHERE chain = 'main' FOR UPDATE;
  NEW.chain_seq := head.seq + 1;
  NEW.prev_hash := head.last_hash;
  NEW.hash := control.audit_event_hash(NEW.prev_hash, NEW);
  UPDATE control.audit_chain SET seq = NEW.chain_seq, last_hash = NEW.hash WHERE chain = 'main';
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER audit_events_chain BEFORE INSERT ON control.audit_events
  FOR EACH ROW EXECUTE FUNCTION control.audit_events_chain();
--> statement-breakpoint
-- UPDATE, DELETE and TRUNCATE are refused for every role. The one exception is the owner's
-- retention job: a session logged in as the table's owner that sets app.audit_retention.
CREATE FUNCTION control.audit_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('app.audit_retention', true) = 'on'
     AND session_user = (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = TG_RELID) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
--> statement-breakpoint
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON control.audit_events
  FOR EACH ROW EXECUTE FUNCTION control.audit_events_append_only();
--> statement-breakpoint
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON control.audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION control.audit_events_append_only();
--> statement-breakpoint
-- Retention deletes as tenantry_platform (BYPASSRLS: FORCE binds even the owner), so the owner
-- may take that role; the trigger above still requires the owner's own login.
GRANT DELETE ON control.audit_events TO tenantry_platform;
--> statement-breakpoint
GRANT tenantry_platform TO CURRENT_USER;
--> statement-breakpoint
GRANT SELECT ON control.audit_chain TO tenantry_platform;
