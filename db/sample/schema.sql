-- The bundled sample data plane (DESIGN §6): a legacy, single-tenant automotive point-of-sale
-- database — 32 tables in schema app, with the foreign keys and unique keys such a system
-- has, and no tenant column anywhere. Adoption (DESIGN §7) is what makes it tenant-scoped.
CREATE SCHEMA app;

-- core
CREATE TABLE app.users (id bigserial PRIMARY KEY, email text NOT NULL UNIQUE, name text NOT NULL, role text NOT NULL, password_hash text NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE app.sessions (id bigserial PRIMARY KEY, user_id bigint NOT NULL REFERENCES app.users, token text NOT NULL UNIQUE, created_at timestamptz NOT NULL, expires_at timestamptz NOT NULL);
CREATE TABLE app.audit_log (id bigserial PRIMARY KEY, user_id bigint REFERENCES app.users, action text NOT NULL, at timestamptz NOT NULL, details text);

-- products
CREATE TABLE app.product_categories (id bigserial PRIMARY KEY, name text NOT NULL UNIQUE, parent_id bigint REFERENCES app.product_categories);
CREATE TABLE app.products (id bigserial PRIMARY KEY, sku text NOT NULL UNIQUE, name text NOT NULL, category_id bigint NOT NULL REFERENCES app.product_categories, price numeric(12,2) NOT NULL);
CREATE TABLE app.fitment_data (id bigserial PRIMARY KEY, product_id bigint NOT NULL REFERENCES app.products, make text NOT NULL, model text NOT NULL, year_from int NOT NULL, year_to int NOT NULL);
CREATE TABLE app.inventory (id bigserial PRIMARY KEY, product_id bigint NOT NULL UNIQUE REFERENCES app.products, quantity int NOT NULL, location text NOT NULL);
CREATE TABLE app.inventory_transactions (id bigserial PRIMARY KEY, inventory_id bigint NOT NULL REFERENCES app.inventory, delta int NOT NULL, at timestamptz NOT NULL);

-- sales and customers
CREATE TABLE app.price_levels (id bigserial PRIMARY KEY, name text NOT NULL UNIQUE, discount_pct numeric(5,2) NOT NULL);
CREATE TABLE app.customers (id bigserial PRIMARY KEY, name text NOT NULL, email text UNIQUE, phone text, price_level_id bigint REFERENCES app.price_levels, created_at timestamptz NOT NULL);
CREATE TABLE app.customer_vehicles (id bigserial PRIMARY KEY, customer_id bigint NOT NULL REFERENCES app.customers, vin text NOT NULL UNIQUE, make text NOT NULL, model text NOT NULL, year int NOT NULL);
CREATE TABLE app.layaways (id bigserial PRIMARY KEY, customer_id bigint NOT NULL REFERENCES app.customers, total numeric(12,2) NOT NULL, status text NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE app.layaway_payments (id bigserial PRIMARY KEY, layaway_id bigint NOT NULL REFERENCES app.layaways, amount numeric(12,2) NOT NULL, paid_at timestamptz NOT NULL);
CREATE TABLE app.work_orders (id bigserial PRIMARY KEY, number text NOT NULL UNIQUE, customer_id bigint NOT NULL REFERENCES app.customers, vehicle_id bigint REFERENCES app.customer_vehicles, status text NOT NULL, opened_at timestamptz NOT NULL);
CREATE TABLE app.work_order_lines (id bigserial PRIMARY KEY, work_order_id bigint NOT NULL REFERENCES app.work_orders, product_id bigint NOT NULL REFERENCES app.products, quantity int NOT NULL, price numeric(12,2) NOT NULL);
CREATE TABLE app.commission_rules (id bigserial PRIMARY KEY, name text NOT NULL UNIQUE, pct numeric(5,2) NOT NULL);
CREATE TABLE app.commissions (id bigserial PRIMARY KEY, user_id bigint NOT NULL REFERENCES app.users, work_order_id bigint NOT NULL REFERENCES app.work_orders, rule_id bigint NOT NULL REFERENCES app.commission_rules, amount numeric(12,2) NOT NULL);
CREATE TABLE app.loyalty_accounts (id bigserial PRIMARY KEY, customer_id bigint NOT NULL UNIQUE REFERENCES app.customers, points int NOT NULL);
CREATE TABLE app.loyalty_transactions (id bigserial PRIMARY KEY, account_id bigint NOT NULL REFERENCES app.loyalty_accounts, points int NOT NULL, at timestamptz NOT NULL);
CREATE TABLE app.credit_accounts (id bigserial PRIMARY KEY, customer_id bigint NOT NULL UNIQUE REFERENCES app.customers, credit_limit numeric(12,2) NOT NULL, balance numeric(12,2) NOT NULL);
CREATE TABLE app.credit_transactions (id bigserial PRIMARY KEY, account_id bigint NOT NULL REFERENCES app.credit_accounts, amount numeric(12,2) NOT NULL, at timestamptz NOT NULL);
CREATE TABLE app.gift_cards (id bigserial PRIMARY KEY, code text NOT NULL UNIQUE, balance numeric(12,2) NOT NULL);
CREATE TABLE app.gift_card_transactions (id bigserial PRIMARY KEY, gift_card_id bigint NOT NULL REFERENCES app.gift_cards, amount numeric(12,2) NOT NULL, at timestamptz NOT NULL);
CREATE TABLE app.promotions (id bigserial PRIMARY KEY, code text NOT NULL UNIQUE, pct numeric(5,2) NOT NULL, starts_on date NOT NULL, ends_on date NOT NULL);
CREATE TABLE app.promotion_usage (id bigserial PRIMARY KEY, promotion_id bigint NOT NULL REFERENCES app.promotions, work_order_id bigint NOT NULL REFERENCES app.work_orders, at timestamptz NOT NULL);

-- sync
CREATE TABLE app.sync_log (id bigserial PRIMARY KEY, entity text NOT NULL, entity_id bigint NOT NULL, at timestamptz NOT NULL);
CREATE TABLE app.sync_conflicts (id bigserial PRIMARY KEY, sync_log_id bigint NOT NULL REFERENCES app.sync_log, details text NOT NULL);
CREATE TABLE app.pending_operations (id bigserial PRIMARY KEY, operation text NOT NULL, payload text NOT NULL, created_at timestamptz NOT NULL);

-- backup
CREATE TABLE app.backup_destinations (id bigserial PRIMARY KEY, name text NOT NULL UNIQUE, url text NOT NULL);
CREATE TABLE app.backup_settings (id bigserial PRIMARY KEY, destination_id bigint NOT NULL REFERENCES app.backup_destinations, schedule text NOT NULL);
CREATE TABLE app.backups (id bigserial PRIMARY KEY, destination_id bigint NOT NULL REFERENCES app.backup_destinations, started_at timestamptz NOT NULL, size_bytes bigint NOT NULL);
CREATE TABLE app.restore_jobs (id bigserial PRIMARY KEY, backup_id bigint NOT NULL REFERENCES app.backups, status text NOT NULL);

-- The legacy app's foreign keys are indexed where it queries them.
CREATE INDEX ON app.sessions (user_id);
CREATE INDEX ON app.customer_vehicles (customer_id);
CREATE INDEX ON app.work_orders (customer_id);
CREATE INDEX ON app.work_order_lines (work_order_id);
CREATE INDEX ON app.inventory_transactions (inventory_id);
CREATE INDEX ON app.loyalty_transactions (account_id);
