-- The customers placed on each registered database, counted up to a bound by the Databases page
-- and the registry: a small database's customers are found without reading every customer.
CREATE INDEX "customers_database_idx" ON "control"."customers" USING btree ("database");