CREATE TABLE "control"."databases" (
	"name" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"env_var" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "databases_name_format" CHECK ("control"."databases"."name" ~ '^[a-z][a-z0-9_-]{0,39}$'),
	CONSTRAINT "databases_kind_valid" CHECK ("control"."databases"."kind" in ('shared','dedicated')),
	CONSTRAINT "databases_status_valid" CHECK ("control"."databases"."status" in ('active','draining','offline')),
	CONSTRAINT "databases_env_var_format" CHECK ("control"."databases"."env_var" ~ '^[A-Z_][A-Z0-9_]{0,63}$')
);
--> statement-breakpoint
-- This database, the control plane's, holds every data plane until a customer is moved.
INSERT INTO "control"."databases" ("name", "kind", "env_var") VALUES ('primary', 'shared', 'DATABASE_URL');
--> statement-breakpoint
-- Names and variables are no secret: every door reads where a customer lives.
GRANT SELECT ON "control"."databases" TO tenantry_app, tenantry_tenant, tenantry_platform;
--> statement-breakpoint
ALTER TABLE "control"."customers" ADD COLUMN "database" text DEFAULT 'primary' NOT NULL;--> statement-breakpoint
ALTER TABLE "control"."customers" ADD CONSTRAINT "customers_database_databases_name_fk" FOREIGN KEY ("database") REFERENCES "control"."databases"("name") ON DELETE no action ON UPDATE no action;