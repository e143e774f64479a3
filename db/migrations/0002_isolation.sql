-- What drizzle-kit does not write (DESIGN §3): FORCE, so the table owner is no exception,
-- and the grants. tenantry_app owns nothing and gets no grant of its own: it inherits the
-- privileges of tenantry_tenant, and RLS still applies to it because BYPASSRLS is never
-- inherited — outside a tenant context it sees zero rows and cannot write.
ALTER TABLE control.customers FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE control.memberships FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE control.audit_events FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT USAGE ON SCHEMA control TO tenantry_tenant, tenantry_platform;
--> statement-breakpoint
GRANT SELECT ON control.customers TO tenantry_tenant;
--> statement-breakpoint
GRANT SELECT ON control.users TO tenantry_tenant;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON control.memberships TO tenantry_tenant;
--> statement-breakpoint
-- The audit log is append-only for every role the app can take.
GRANT SELECT, INSERT ON control.audit_events TO tenantry_tenant, tenantry_platform;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON control.customers, control.users, control.memberships TO tenantry_platform;
--> statement-breakpoint
GRANT USAGE ON ALL SEQUENCES IN SCHEMA control TO tenantry_tenant, tenantry_platform;
