CREATE TABLE "control"."adoption_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"schema_name" text NOT NULL,
	"kind" text NOT NULL,
	"status" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"options" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"failed_step" text,
	"error" text,
	"instructions" text
);
--> statement-breakpoint
CREATE TABLE "control"."adoption_steps" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "control"."adoption_steps_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"run_id" uuid NOT NULL,
	"step" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"ms" integer,
	"outcome" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "control"."adoption_steps" ADD CONSTRAINT "adoption_steps_run_id_adoption_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "control"."adoption_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "adoption_steps_run_idx" ON "control"."adoption_steps" USING btree ("run_id","id");