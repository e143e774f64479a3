ALTER POLICY "users_visible_through_membership" ON "control"."users" TO tenantry_tenant USING (coalesce((select true from control.memberships m where m.user_id = "control"."users"."id"), false));--> statement-breakpoint
ALTER POLICY "users_deletable_through_membership" ON "control"."users" TO tenantry_tenant USING (coalesce((select true from control.memberships m where m.user_id = "control"."users"."id"), false));--> statement-breakpoint
-- The same per user for a customer's updates of its users (migration 0045, not in db/schema.ts).
ALTER POLICY users_updatable_through_membership ON control.users TO tenantry_tenant
  USING (coalesce((select true from control.memberships m where m.user_id = users.id), false))
  WITH CHECK (coalesce((select true from control.memberships m where m.user_id = users.id), false));
