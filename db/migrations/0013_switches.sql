CREATE TABLE "control"."switches" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"super_admin_id" uuid NOT NULL,
	"super_admin_email" text NOT NULL,
	"tenant_id" text NOT NULL,
	"reason" text NOT NULL,
	"mode" text DEFAULT 'read' NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"ended_by_email" text,
	"end_reason" text,
	CONSTRAINT "switches_reason_length" CHECK (length("control"."switches"."reason") >= 10),
	CONSTRAINT "switches_mode_valid" CHECK ("control"."switches"."mode" in ('read','write')),
	CONSTRAINT "switches_at_most_four_hours" CHECK ("control"."switches"."expires_at" > "control"."switches"."started_at" and "control"."switches"."expires_at" <= "control"."switches"."started_at" + interval '4 hours')
);
--> statement-breakpoint
ALTER TABLE "control"."switches" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "control"."switches" ADD CONSTRAINT "switches_super_admin_id_users_id_fk" FOREIGN KEY ("super_admin_id") REFERENCES "control"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "control"."switches" ADD CONSTRAINT "switches_tenant_id_customers_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "control"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "switches_one_open_per_admin" ON "control"."switches" USING btree ("super_admin_id") WHERE "control"."switches"."ended_at" is null;--> statement-breakpoint
CREATE INDEX "switches_tenant_started_idx" ON "control"."switches" USING btree ("tenant_id","started_at");--> statement-breakpoint
CREATE POLICY "switches_tenant_isolation" ON "control"."switches" AS PERMISSIVE FOR ALL TO public USING ("tenant_id" = (select nullif(current_setting('app.tenant_id', true), ''))) WITH CHECK ("tenant_id" = (select nullif(current_setting('app.tenant_id', true), '')));