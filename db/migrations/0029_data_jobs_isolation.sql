ALTER TABLE control.data_jobs FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
-- Platform staff watch a customer's jobs; the owner runs them and writes their progress.
GRANT SELECT ON control.data_jobs TO tenantry_platform;
