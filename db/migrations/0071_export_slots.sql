CREATE TABLE "control"."export_slots" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"token" uuid NOT NULL,
	"held_until" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "control"."export_slots" ADD CONSTRAINT "export_slots_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "control"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- The platform role claims, renews and releases a slot (the system door's "export-slot").
GRANT SELECT, INSERT, UPDATE, DELETE ON control.export_slots TO tenantry_platform;
