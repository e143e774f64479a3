// The sample data plane's generator (docs/architecture.md §5): the 32-table legacy schema filled to about
// `rows` rows, deterministically (every value derives from the row number through md5, every
// time from a fixed epoch), so the same size gives the same data and the same checksums.
// Run: npm run sample:generate -- --rows 1000000 [--reset]   (owner connection, DATABASE_URL)
import { readFileSync } from "node:fs";
import path from "node:path";
import { inOwnerTransaction, withOwnerClient } from "../owner";

export const SAMPLE_SCHEMA = "app";
/** The demo's size: about 50 000 rows (docs/architecture.md §5). */
export const DEMO_SAMPLE_ROWS = 50_000;
const SCHEMA_SQL = readFileSync(path.join(import.meta.dirname, "schema.sql"), "utf8");

type Spec = { table: string; count: (n: number) => number; select: string };

const at = (offset: string) =>
  `timestamptz '2024-01-01 00:00:00+00' + (${offset}) * interval '1 minute'`;
// A parent row's id for row g: deterministic and spread over the parent table.
const pick = (salt: string, parentCount: string) => `1 + pg_temp.r(g, '${salt}') % ${parentCount}`;

// In foreign-key order. `count` is the share of the requested total; $n in `select` is it.
const SPECS: Spec[] = [
  {
    table: "users",
    count: (n) => share(n, 0.002, 5),
    select: `select g, 'user' || g || '@shop.example', 'User ' || g, (array['cashier','manager','mechanic'])[1 + g % 3], md5('pw' || g), ${at("g")}`,
  },
  {
    table: "sessions",
    count: (n) => share(n, 0.03),
    select: `select g, ${pick("s", "#users")}, md5('t' || g), ${at("g")}, ${at("g + 480")}`,
  },
  {
    table: "audit_log",
    count: (n) => share(n, 0.06),
    select: `select g, ${pick("a", "#users")}, (array['sale','refund','login','edit'])[1 + g % 4], ${at("g")}, 'entry ' || g`,
  },
  {
    table: "product_categories",
    count: () => 40,
    select: `select g, 'Category ' || g, case when g > 8 then 1 + g % 8 end`,
  },
  {
    table: "products",
    count: (n) => share(n, 0.03, 50),
    select: `select g, 'SKU-' || lpad(g::text, 7, '0'), 'Part ' || g, ${pick("p", "#product_categories")}, (1 + pg_temp.r(g, 'pp') % 50000) / 100.0`,
  },
  {
    table: "fitment_data",
    count: (n) => share(n, 0.06),
    select: `select g, ${pick("f", "#products")}, (array['Ford','Toyota','Honda','VW','BMW'])[1 + g % 5], 'Model ' || (g % 40), 1990 + g % 30, 1995 + g % 30`,
  },
  {
    table: "inventory",
    count: (n) => share(n, 0.03, 50),
    select: `select g, g, pg_temp.r(g, 'iq') % 500, 'Aisle ' || (g % 30)`,
  },
  {
    table: "inventory_transactions",
    count: (n) => share(n, 0.1),
    select: `select g, ${pick("it", "#inventory")}, (pg_temp.r(g, 'id') % 21) - 10, ${at("g")}`,
  },
  { table: "price_levels", count: () => 5, select: `select g, 'Level ' || g, g * 2.5` },
  {
    table: "customers",
    count: (n) => share(n, 0.05, 20),
    select: `select g, 'Customer ' || g, 'c' || g || '@mail.example', '+1-555-' || lpad((g % 10000)::text, 4, '0'), ${pick("pl", "#price_levels")}, ${at("g")}`,
  },
  {
    table: "customer_vehicles",
    count: (n) => share(n, 0.06),
    select: `select g, ${pick("cv", "#customers")}, upper(substr(md5('vin' || g), 1, 17)), (array['Ford','Toyota','Honda','VW','BMW'])[1 + g % 5], 'Model ' || (g % 40), 1995 + g % 30`,
  },
  {
    table: "layaways",
    count: (n) => share(n, 0.01),
    select: `select g, ${pick("l", "#customers")}, (pg_temp.r(g, 'lt') % 100000) / 100.0, (array['open','paid','cancelled'])[1 + g % 3], ${at("g")}`,
  },
  {
    table: "layaway_payments",
    count: (n) => share(n, 0.02),
    select: `select g, ${pick("lp", "#layaways")}, (pg_temp.r(g, 'la') % 20000) / 100.0, ${at("g")}`,
  },
  {
    table: "work_orders",
    count: (n) => share(n, 0.08),
    select: `select g, 'WO-' || lpad(g::text, 8, '0'), ${pick("w", "#customers")}, case when g % 4 > 0 then ${pick("wv", "#customer_vehicles")} end, (array['open','in progress','done','invoiced'])[1 + g % 4], ${at("g")}`,
  },
  {
    table: "work_order_lines",
    count: (n) => share(n, 0.2),
    select: `select g, ${pick("wl", "#work_orders")}, ${pick("wp", "#products")}, 1 + g % 4, (pg_temp.r(g, 'wx') % 30000) / 100.0`,
  },
  { table: "commission_rules", count: () => 6, select: `select g, 'Rule ' || g, g * 1.5` },
  {
    table: "commissions",
    count: (n) => share(n, 0.04),
    select: `select g, ${pick("cu", "#users")}, ${pick("cw", "#work_orders")}, ${pick("cr", "#commission_rules")}, (pg_temp.r(g, 'ca') % 5000) / 100.0`,
  },
  {
    table: "loyalty_accounts",
    count: (n) => Math.floor(share(n, 0.05, 20) * 0.6),
    select: `select g, g, pg_temp.r(g, 'lp') % 5000`,
  },
  {
    table: "loyalty_transactions",
    count: (n) => share(n, 0.06),
    select: `select g, ${pick("lt", "#loyalty_accounts")}, (pg_temp.r(g, 'lv') % 200) - 50, ${at("g")}`,
  },
  {
    table: "credit_accounts",
    count: (n) => Math.floor(share(n, 0.05, 20) * 0.2),
    select: `select g, g * 3, 1000 + g % 9000, (pg_temp.r(g, 'cb') % 100000) / 100.0`,
  },
  {
    table: "credit_transactions",
    count: (n) => share(n, 0.03),
    select: `select g, ${pick("ct", "#credit_accounts")}, ((pg_temp.r(g, 'cx') % 40000) - 20000) / 100.0, ${at("g")}`,
  },
  {
    table: "gift_cards",
    count: (n) => share(n, 0.01),
    select: `select g, 'GC-' || upper(substr(md5('gc' || g), 1, 12)), (pg_temp.r(g, 'gb') % 20000) / 100.0`,
  },
  {
    table: "gift_card_transactions",
    count: (n) => share(n, 0.02),
    select: `select g, ${pick("gt", "#gift_cards")}, (pg_temp.r(g, 'ga') % 10000) / 100.0, ${at("g")}`,
  },
  {
    table: "promotions",
    count: () => 30,
    select: `select g, 'PROMO' || g, 5 + g % 20, date '2024-01-01' + g * 10, date '2024-01-01' + g * 10 + 30`,
  },
  {
    table: "promotion_usage",
    count: (n) => share(n, 0.02),
    select: `select g, ${pick("pu", "#promotions")}, ${pick("pw", "#work_orders")}, ${at("g")}`,
  },
  {
    table: "sync_log",
    count: (n) => share(n, 0.04),
    select: `select g, (array['customer','product','work_order'])[1 + g % 3], pg_temp.r(g, 'se') % 100000, ${at("g")}`,
  },
  {
    table: "sync_conflicts",
    count: (n) => share(n, 0.004),
    select: `select g, ${pick("sc", "#sync_log")}, 'conflict ' || g`,
  },
  {
    table: "pending_operations",
    count: (n) => share(n, 0.005),
    select: `select g, (array['upsert','delete'])[1 + g % 2], md5('op' || g), ${at("g")}`,
  },
  {
    table: "backup_destinations",
    count: () => 3,
    select: `select g, 'Destination ' || g, 's3://backups/' || g`,
  },
  { table: "backup_settings", count: () => 3, select: `select g, g, '0 3 * * *'` },
  {
    table: "backups",
    count: (n) => share(n, 0.001, 3),
    select: `select g, ${pick("b", "#backup_destinations")}, ${at("g * 1440")}, pg_temp.r(g, 'bs') % 10000000000`,
  },
  {
    table: "restore_jobs",
    count: (n) => share(n, 0.0002, 1),
    select: `select g, ${pick("r", "#backups")}, (array['done','failed'])[1 + g % 2]`,
  },
];

function share(n: number, weight: number, minimum = 1): number {
  return Math.max(minimum, Math.round(n * weight));
}

export async function sampleExists(connectionString: string): Promise<boolean> {
  return withOwnerClient(connectionString, async (client) => {
    return (
      (await client.query("select 1 from pg_namespace where nspname = $1", [SAMPLE_SCHEMA])).rows
        .length > 0
    );
  });
}

/** Creates schema app and fills it to about `rows` rows; refuses if it exists unless `reset`. */
export async function generateSample(
  connectionString: string,
  options: { rows: number; reset?: boolean },
) {
  if ((await sampleExists(connectionString)) && !options.reset) {
    throw new Error(
      `Schema ${SAMPLE_SCHEMA} exists already; pass --reset to drop and regenerate it.`,
    );
  }
  const result = await inOwnerTransaction(connectionString, async (client) => {
    await client.query("set local client_min_messages = warning");
    await client.query(`drop schema if exists ${SAMPLE_SCHEMA} cascade`);
    await client.query(SCHEMA_SQL);
    await client.query(
      `create function pg_temp.r(g bigint, salt text) returns bigint language sql immutable
         as $$ select ('x' || substr(md5(salt || g::text), 1, 12))::bit(48)::bigint $$`,
    );
    const counts: Record<string, number> = {};
    let total = 0;
    for (const spec of SPECS) {
      const count = spec.count(options.rows);
      counts[spec.table] = count;
      // "#table" in a spec is that table's row count, already known.
      const select = spec.select.replace(/#(\w+)/g, (_, t: string) => String(counts[t]));
      await client.query(
        `insert into ${SAMPLE_SCHEMA}.${spec.table} ${select} from generate_series(1, ${count}) g`,
      );
      await client.query(
        `select setval(pg_get_serial_sequence('${SAMPLE_SCHEMA}.${spec.table}', 'id'), ${count})`,
      );
      total += count;
    }
    return { tables: SPECS.length, rows: total, counts };
  });
  await withOwnerClient(connectionString, (client) => client.query(`analyze`));
  return result;
}
