import "server-only";
import { asc, count, desc, sql, type SQL } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import type { Tx } from "@/db/tenant";
import { encodeCursor, type KeysetPosition } from "./cursor";

/** Up to this many matches a list's total is exact; above, the planner's estimate. */
export const EXACT_TOTAL_UP_TO = 10_000;
/** Where the planner expects more matches than this, they are not counted at all. */
export const COUNT_BELOW_ESTIMATE = 10 * EXACT_TOTAL_UP_TO;

export interface ListTotal {
  count: number;
  /** False when count is the planner's estimate. */
  exact: boolean;
}

/**
 * A timestamp as a cursor carries it, and back: integer microseconds since the epoch, so a
 * cursor names a row exactly (a JavaScript Date keeps only milliseconds).
 */
export const timeKey = {
  text: (key: SQL.Aliased | SQL | PgColumn): SQL<string> =>
    sql`(extract(epoch from ${key}) * 1000000)::bigint::text`,
  read: (text: string): SQL =>
    sql`('epoch'::timestamptz + ${text}::bigint * interval '1 microsecond')`,
};

/**
 * A newest-first list's keyset by (time, ID), from `cursor`: the time as the cursor carries it
 * (`key`, to select), the condition past the cursor's row (a previous page reads forwards from
 * it, to be turned round by keysetPage), and the order.
 */
export function newestFirst(
  at: PgColumn,
  id: PgColumn,
  idType: "bigint" | "uuid",
  cursor: (KeysetPosition & { at: string; id: string | number }) | undefined,
) {
  const back = cursor?.towards === "previous";
  const direction = back ? asc : desc;
  return {
    key: timeKey.text(at).as("cursor_at"),
    after: cursor
      ? sql`(${at}, ${id}) ${sql.raw(back ? ">" : "<")} (${timeKey.read(cursor.at)}, ${cursor.id}::${sql.raw(idType)})`
      : undefined,
    order: [direction(at), direction(id)],
  };
}

/** One page of a keyset-paged list, and the URL changes to the pages either side (null where none). */
export interface KeysetPage<Row> {
  rows: Row[];
  total: ListTotal;
  page: number;
  /** The position of the page's first row in the whole list, from 1. */
  first: number;
  previous: { cursor: string | null } | null;
  next: { cursor: string | null } | null;
}

/**
 * Whether a page past the first came back empty: its rows were removed since its cursor was
 * made (the last ones on it withdrawn, say). A page shows the list's first page instead.
 */
export const pastTheLastRow = (list: KeysetPage<unknown>) =>
  list.page > 1 && list.rows.length === 0;

/**
 * The statements behind a list's total: its matches counted up to EXACT_TOTAL_UP_TO (one more,
 * to know there are more), and the planner's estimate of them. Neither costs more than that many
 * rows, however large the table.
 */
export function totalQueries(tx: Tx, table: PgTable, where: SQL | undefined) {
  const matches = tx
    .select({ one: sql`1` })
    .from(table)
    .where(where)
    .limit(EXACT_TOTAL_UP_TO + 1)
    .as("matches");
  return {
    total: tx.select({ total: count() }).from(matches),
    estimate: sql`explain (format json) select 1 from ${table} where ${where ?? sql`true`}`,
  };
}

/** The total of a list: counted when few, else the planner's estimate (its row statistics). */
export async function listTotal(
  tx: Tx,
  queries: ReturnType<typeof totalQueries>,
): Promise<ListTotal> {
  const { rows: explained } = await tx.execute<{
    "QUERY PLAN": [{ Plan: { "Plan Rows": number } }];
  }>(queries.estimate);
  const estimate = Math.round(explained[0]["QUERY PLAN"][0].Plan["Plan Rows"]);
  if (estimate > COUNT_BELOW_ESTIMATE) return { count: estimate, exact: false };
  const [{ total: counted }] = await queries.total;
  return counted > EXACT_TOTAL_UP_TO
    ? { count: Math.max(estimate, counted), exact: false }
    : { count: counted, exact: true };
}

/**
 * A page from the rows read for it: one more than the page, to know whether another follows,
 * each with its sort key as the cursor carries it; a previous page's read backwards from its
 * cursor. Null when going back found no more rows than a page holds (some were removed): the
 * caller starts again from the top. `place` makes the cursor of the page either side of a row.
 */
export function keysetPage<Row extends { key: string }>(
  fetched: Row[],
  size: number,
  cursor: KeysetPosition | undefined,
  place: (row: Row, position: KeysetPosition) => object,
): Omit<KeysetPage<Omit<Row, "key">>, "total"> | null {
  const back = cursor?.towards === "previous";
  const more = fetched.length > size;
  if (back && !more) return null;
  const rows = fetched.slice(0, size);
  if (back) rows.reverse();
  const page = cursor?.page ?? 1;
  const to = (towards: KeysetPosition["towards"], row: Row) => ({
    cursor:
      towards === "previous" && page === 2
        ? null
        : encodeCursor(place(row, { page: page + (towards === "next" ? 1 : -1), towards })),
  });
  return {
    rows: rows.map(({ key: _key, ...row }) => row),
    page,
    first: (page - 1) * size + 1,
    previous: page > 1 && rows.length ? to("previous", rows[0]) : null,
    next: (back || more) && rows.length ? to("next", rows[rows.length - 1]) : null,
  };
}
