-- A customer's last activity, kept where its chain's head already is (docs/architecture.md §8):
-- the sealer, which reads every event once, notes the latest event's time in each chain it seals
-- (audit_chain.last_at; control.seal_audit_events as migration 0081 makes it), so the usage
-- snapshot reads one row per customer instead of the greatest time over the customer's whole
-- log. Events not sealed yet it reads as they are.
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
