-- The dashboard reads runs as the platform; runs themselves are written by the owner's engine.
GRANT SELECT ON control.adoption_runs, control.adoption_steps TO tenantry_platform;
--> statement-breakpoint
-- The engine probes the adopted tables as tenantry_tenant from inside its owner transaction.
GRANT tenantry_tenant TO CURRENT_USER;
