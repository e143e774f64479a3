ALTER TABLE control.backups FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
-- Platform staff list a customer's backups; the owner makes them.
GRANT SELECT ON control.backups TO tenantry_platform;
