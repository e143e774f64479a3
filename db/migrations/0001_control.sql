CREATE SCHEMA "control";
--> statement-breakpoint
CREATE TABLE "control"."audit_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "control"."audit_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_user_id" uuid,
	"actor_email" text,
	"actor_role" text,
	"acting_as" uuid,
	"tenant_id" text,
	"action" text NOT NULL,
	"target_type" text,
	"target_id" text,
	"outcome" text NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"ip" text,
	"user_agent" text,
	"request_id" text,
	CONSTRAINT "audit_events_outcome_valid" CHECK ("control"."audit_events"."outcome" in ('ok','denied','failed'))
);
--> statement-breakpoint
ALTER TABLE "control"."audit_events" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "control"."customers" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"status" text DEFAULT 'trial' NOT NULL,
	"plan" text DEFAULT 'free' NOT NULL,
	"contact_email" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"trial_ends_at" timestamp with time zone,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "customers_id_format" CHECK ("control"."customers"."id" ~ '^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{9}$' or "control"."customers"."id" = 'LEGACY001'),
	CONSTRAINT "customers_status_valid" CHECK ("control"."customers"."status" in ('trial','active','suspended','offboarding','deleted'))
);
--> statement-breakpoint
ALTER TABLE "control"."customers" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "control"."memberships" (
	"tenant_id" text NOT NULL,
	"user_id" uuid NOT NULL,
	"role" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "memberships_tenant_id_user_id_pk" PRIMARY KEY("tenant_id","user_id"),
	CONSTRAINT "memberships_role_valid" CHECK ("control"."memberships"."role" in ('admin','member'))
);
--> statement-breakpoint
ALTER TABLE "control"."memberships" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "control"."users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"password_hash" text,
	"display_name" text NOT NULL,
	"platform_role" text,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_platform_role_valid" CHECK ("control"."users"."platform_role" is null or "control"."users"."platform_role" = 'super_admin'),
	CONSTRAINT "users_status_valid" CHECK ("control"."users"."status" in ('active','disabled'))
);
--> statement-breakpoint
ALTER TABLE "control"."users" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "control"."audit_events" ADD CONSTRAINT "audit_events_tenant_id_customers_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "control"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "control"."memberships" ADD CONSTRAINT "memberships_tenant_id_customers_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "control"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "control"."memberships" ADD CONSTRAINT "memberships_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "control"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_events_tenant_at_idx" ON "control"."audit_events" USING btree ("tenant_id","at");--> statement-breakpoint
CREATE INDEX "audit_events_at_idx" ON "control"."audit_events" USING btree ("at");--> statement-breakpoint
CREATE INDEX "customers_name_idx" ON "control"."customers" USING btree ("name");--> statement-breakpoint
CREATE UNIQUE INDEX "memberships_user_key" ON "control"."memberships" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_key" ON "control"."users" USING btree (lower("email"));--> statement-breakpoint
CREATE POLICY "audit_events_tenant_isolation" ON "control"."audit_events" AS PERMISSIVE FOR ALL TO public USING ("tenant_id" = (select nullif(current_setting('app.tenant_id', true), ''))) WITH CHECK ("tenant_id" = (select nullif(current_setting('app.tenant_id', true), '')));--> statement-breakpoint
CREATE POLICY "customers_tenant_isolation" ON "control"."customers" AS PERMISSIVE FOR ALL TO public USING ("id" = (select nullif(current_setting('app.tenant_id', true), ''))) WITH CHECK ("id" = (select nullif(current_setting('app.tenant_id', true), '')));--> statement-breakpoint
CREATE POLICY "memberships_tenant_isolation" ON "control"."memberships" AS PERMISSIVE FOR ALL TO public USING ("tenant_id" = (select nullif(current_setting('app.tenant_id', true), ''))) WITH CHECK ("tenant_id" = (select nullif(current_setting('app.tenant_id', true), '')));--> statement-breakpoint
CREATE POLICY "users_visible_through_membership" ON "control"."users" AS PERMISSIVE FOR SELECT TO "tenantry_tenant" USING (exists (select 1 from control.memberships m where m.user_id = "control"."users"."id"));