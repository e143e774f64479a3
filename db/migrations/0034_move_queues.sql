CREATE TABLE "control"."move_queues" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"target" text NOT NULL,
	"threshold_rows" bigint NOT NULL,
	"status" text DEFAULT 'running' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "move_queues_status_valid" CHECK ("control"."move_queues"."status" in ('running','paused','done')),
	CONSTRAINT "move_queues_threshold_positive" CHECK ("control"."move_queues"."threshold_rows" > 0)
);
--> statement-breakpoint
ALTER TABLE "control"."move_queues" ADD CONSTRAINT "move_queues_target_databases_name_fk" FOREIGN KEY ("target") REFERENCES "control"."databases"("name") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- Super-admins start, pause and resume queues through the platform door; the owner runs them.
GRANT SELECT, INSERT, UPDATE ON control.move_queues TO tenantry_platform;
--> statement-breakpoint
GRANT SELECT ON control.moves TO tenantry_platform;
