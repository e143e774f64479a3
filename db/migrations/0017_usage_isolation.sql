ALTER TABLE control.usage_snapshots FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT ON control.usage_snapshots TO tenantry_tenant;
--> statement-breakpoint
GRANT SELECT, INSERT ON control.usage_snapshots TO tenantry_platform;
--> statement-breakpoint
GRANT SELECT, INSERT ON control.usage_runs TO tenantry_platform;
--> statement-breakpoint
-- The snapshot counts sign-ins and reads the catalog sizes of data-plane tables.
GRANT SELECT ON control.sign_in_attempts TO tenantry_platform;
