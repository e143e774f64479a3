-- The three roles of DESIGN §3 invariant 4. Roles belong to the cluster, not the database,
-- so they are created only when missing and their attributes are (re)asserted every time.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tenantry_tenant') THEN
    CREATE ROLE tenantry_tenant NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tenantry_platform') THEN
    CREATE ROLE tenantry_platform NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tenantry_app') THEN
    CREATE ROLE tenantry_app LOGIN;
  END IF;
END
$$;
--> statement-breakpoint
ALTER ROLE tenantry_tenant NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
--> statement-breakpoint
ALTER ROLE tenantry_platform NOLOGIN NOSUPERUSER BYPASSRLS NOCREATEDB NOCREATEROLE;
--> statement-breakpoint
ALTER ROLE tenantry_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE INHERIT;
--> statement-breakpoint
-- The app logs in as tenantry_app and switches per transaction; attributes such as
-- BYPASSRLS are never inherited, so tenantry_app itself stays subject to RLS.
GRANT tenantry_tenant TO tenantry_app;
--> statement-breakpoint
GRANT tenantry_platform TO tenantry_app;
