ALTER TABLE control.customer_exports FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE control.erasures FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
-- A customer admin sees the exports of their own data; platform staff record and read them.
GRANT SELECT ON control.customer_exports TO tenantry_tenant;
--> statement-breakpoint
GRANT SELECT, INSERT ON control.customer_exports TO tenantry_platform;
--> statement-breakpoint
GRANT SELECT, INSERT ON control.erasures TO tenantry_platform;
