-- The platform API's tables (docs/architecture.md §14). Customer keys, their monthly call counts
-- and their metered events are the customer's: forced RLS by tenant_id, the tenant role reads and
-- writes its own through the tenant door. The platform role (BYPASSRLS) authenticates keys, keeps
-- the rate limits' buckets and the call counts, and manages any customer's keys and platform tokens.
ALTER TABLE control.api_keys FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE control.api_calls FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE control.usage_events FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON control.api_keys TO tenantry_tenant, tenantry_platform;
--> statement-breakpoint
GRANT SELECT ON control.api_calls TO tenantry_tenant;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON control.api_calls TO tenantry_platform;
--> statement-breakpoint
GRANT SELECT, INSERT ON control.usage_events TO tenantry_tenant;
--> statement-breakpoint
GRANT SELECT ON control.usage_events TO tenantry_platform;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON control.rate_buckets TO tenantry_platform;
--> statement-breakpoint
-- The plans' soft margins: 10 % over the monthly calls before refusing, from Team up.
UPDATE control.plans SET api_calls_soft_margin_percent = 10 WHERE name <> 'free';
