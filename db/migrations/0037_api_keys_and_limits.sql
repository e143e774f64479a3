CREATE TABLE "control"."api_calls" (
	"tenant_id" text NOT NULL,
	"month" text NOT NULL,
	"calls" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "api_calls_tenant_id_month_pk" PRIMARY KEY("tenant_id","month")
);
--> statement-breakpoint
ALTER TABLE "control"."api_calls" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "control"."api_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" text,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"secret_hash" text NOT NULL,
	"scopes" text[] NOT NULL,
	"expires_at" timestamp with time zone,
	"last_used_at" timestamp with time zone,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	"revoked_by" text,
	CONSTRAINT "api_keys_scopes_known" CHECK ("control"."api_keys"."scopes" <@ array['usage:read','usage:write','customer:read','platform:read']),
	CONSTRAINT "api_keys_platform_scope" CHECK (("control"."api_keys"."tenant_id" is null) = ("control"."api_keys"."scopes" = array['platform:read']))
);
--> statement-breakpoint
ALTER TABLE "control"."api_keys" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "control"."rate_buckets" (
	"key" text PRIMARY KEY NOT NULL,
	"capacity" integer NOT NULL,
	"per_second" double precision NOT NULL,
	"tokens" double precision NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"allowed" boolean DEFAULT true NOT NULL
);
--> statement-breakpoint
CREATE TABLE "control"."usage_events" (
	"tenant_id" text DEFAULT current_setting('app.tenant_id') NOT NULL,
	"event_id" text NOT NULL,
	"kind" text NOT NULL,
	"quantity" bigint NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"key_id" uuid,
	CONSTRAINT "usage_events_tenant_id_event_id_pk" PRIMARY KEY("tenant_id","event_id")
);
--> statement-breakpoint
ALTER TABLE "control"."usage_events" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "control"."plans" ADD COLUMN "api_calls_soft_margin_percent" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "control"."api_calls" ADD CONSTRAINT "api_calls_tenant_id_customers_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "control"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "control"."api_keys" ADD CONSTRAINT "api_keys_tenant_id_customers_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "control"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "control"."usage_events" ADD CONSTRAINT "usage_events_tenant_id_customers_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "control"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_keys_prefix_key" ON "control"."api_keys" USING btree ("prefix");--> statement-breakpoint
CREATE INDEX "api_keys_tenant_idx" ON "control"."api_keys" USING btree ("tenant_id","created_at");--> statement-breakpoint
CREATE INDEX "usage_events_month_idx" ON "control"."usage_events" USING btree ("tenant_id","occurred_at");--> statement-breakpoint
CREATE POLICY "api_calls_tenant_isolation" ON "control"."api_calls" AS PERMISSIVE FOR ALL TO public USING ("tenant_id" = (select nullif(current_setting('app.tenant_id', true), ''))) WITH CHECK ("tenant_id" = (select nullif(current_setting('app.tenant_id', true), '')));--> statement-breakpoint
CREATE POLICY "api_keys_tenant_isolation" ON "control"."api_keys" AS PERMISSIVE FOR ALL TO public USING ("tenant_id" = (select nullif(current_setting('app.tenant_id', true), ''))) WITH CHECK ("tenant_id" = (select nullif(current_setting('app.tenant_id', true), '')));--> statement-breakpoint
CREATE POLICY "usage_events_tenant_isolation" ON "control"."usage_events" AS PERMISSIVE FOR ALL TO public USING ("tenant_id" = (select nullif(current_setting('app.tenant_id', true), ''))) WITH CHECK ("tenant_id" = (select nullif(current_setting('app.tenant_id', true), '')));