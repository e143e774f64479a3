-- Name search is a case-insensitive prefix match (lower(name) LIKE 'abc%'), which a plain index
-- on lower(name) cannot serve under a non-C collation; text_pattern_ops can. The second index
-- serves ORDER BY lower(name).
CREATE INDEX customers_name_prefix_idx ON control.customers (lower(name) text_pattern_ops);
--> statement-breakpoint
CREATE INDEX customers_name_lower_idx ON control.customers (lower(name), id);
--> statement-breakpoint
GRANT SELECT ON control.plans TO tenantry_tenant, tenantry_platform;
--> statement-breakpoint
-- Customer admins edit their own contact email (RLS limits them to their own row).
GRANT UPDATE (contact_email, version) ON control.customers TO tenantry_tenant;
