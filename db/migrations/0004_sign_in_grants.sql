-- Sign-in attempts are read and written only through withSystem("sign-in"), as
-- tenantry_platform; RLS without a policy leaves every other role with nothing.
ALTER TABLE control.sign_in_attempts ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT, INSERT, DELETE ON control.sign_in_attempts TO tenantry_platform;
--> statement-breakpoint
GRANT USAGE ON SEQUENCE control.sign_in_attempts_id_seq TO tenantry_platform;
