ALTER TABLE control.switches FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
-- Customers see who switched into them (access transparency); only the platform starts and ends.
GRANT SELECT ON control.switches TO tenantry_tenant;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON control.switches TO tenantry_platform;
