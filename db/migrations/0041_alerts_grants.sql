-- Alerts (docs/architecture.md §15): raised from whichever transaction notices (a customer's,
-- for its denied attempts; the platform's; the owner's), read and acknowledged by super-admins
-- through the platform door, delivered to the webhook by the system door's `alerts` purpose.
ALTER TABLE control.alerts FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT, INSERT ON control.alerts TO tenantry_tenant;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON control.alerts TO tenantry_platform;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON control.alert_deliveries TO tenantry_platform;
--> statement-breakpoint
-- The denied attempts of one actor in a window, counted at each denial.
CREATE INDEX audit_events_denied_actor_idx ON control.audit_events (actor_user_id, at) WHERE outcome = 'denied';
