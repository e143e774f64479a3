-- As 0002 did for the first tenant tables: FORCE and grants for invites.
ALTER TABLE control.invites FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON control.invites TO tenantry_tenant, tenantry_platform;
