CREATE POLICY "users_deletable_through_membership" ON "control"."users" AS PERMISSIVE FOR DELETE TO "tenantry_tenant" USING (exists (select 1 from control.memberships m where m.user_id = "control"."users"."id"));--> statement-breakpoint
GRANT DELETE ON control.users TO tenantry_tenant;
