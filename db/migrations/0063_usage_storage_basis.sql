-- The bytes a row of each scoped table that a usage run shared storage out by (lib/usage/snapshot.ts):
-- the next run keeps them while each table's own stays within 10 %, so a customer's storage
-- estimate changes with its rows, not with every page another customer's rows add to a table.
ALTER TABLE "control"."usage_runs" ADD COLUMN "storage_basis" jsonb;
