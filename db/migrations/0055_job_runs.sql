CREATE TABLE "control"."job_runs" (
	"job" text PRIMARY KEY NOT NULL,
	"finished_at" timestamp with time zone NOT NULL
);
