CREATE TABLE "control"."invites" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" text NOT NULL,
	"email" text NOT NULL,
	"role" text NOT NULL,
	"token_hash" text NOT NULL,
	"invited_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"accepted_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "invites_role_valid" CHECK ("control"."invites"."role" in ('admin','member'))
);
--> statement-breakpoint
ALTER TABLE "control"."invites" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "control"."invites" ADD CONSTRAINT "invites_tenant_id_customers_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "control"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "control"."invites" ADD CONSTRAINT "invites_invited_by_users_id_fk" FOREIGN KEY ("invited_by") REFERENCES "control"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "invites_token_hash_key" ON "control"."invites" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "invites_tenant_created_idx" ON "control"."invites" USING btree ("tenant_id","created_at");--> statement-breakpoint
CREATE POLICY "invites_tenant_isolation" ON "control"."invites" AS PERMISSIVE FOR ALL TO public USING ("tenant_id" = (select nullif(current_setting('app.tenant_id', true), ''))) WITH CHECK ("tenant_id" = (select nullif(current_setting('app.tenant_id', true), '')));