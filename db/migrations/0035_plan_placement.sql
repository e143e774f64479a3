ALTER TABLE "control"."plans" ADD COLUMN "placement" text DEFAULT 'shared' NOT NULL;--> statement-breakpoint
-- Enterprise customers start on a dedicated database, where one is registered.
UPDATE "control"."plans" SET "placement" = 'dedicated' WHERE "name" = 'enterprise';
