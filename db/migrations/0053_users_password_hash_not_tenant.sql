-- A customer's role reads its users through their memberships (0002), but never their password
-- hashes: the columns the customer's pages need, and not password_hash, which a statement gone
-- wrong inside a customer's context could otherwise carry off to be cracked offline. Sign-in
-- reads the hash through the system door (tenantry_platform).
REVOKE SELECT ON control.users FROM tenantry_tenant;
--> statement-breakpoint
GRANT SELECT (id, email, display_name, platform_role, status, created_at) ON control.users TO tenantry_tenant;
