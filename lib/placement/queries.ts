// What the console shows of placement (docs/architecture.md §13): the registered databases with
// the customers on each, and moves — through the caller's (platform) transaction.
import "server-only";
import { and, desc, eq, sql } from "drizzle-orm";
import { PRIMARY_DATABASE } from "@/db/databases";
import { customers, databases, moves } from "@/db/schema";
import type { Tx } from "@/db/tenant";
import {
  keysetPage,
  listTotal,
  newestFirst,
  totalQueries,
  type KeysetPage,
} from "@/lib/lists/keyset";
import type { TableProgress } from "@/lib/portability/jobs";
import { MOVES_PER_PAGE, type MoveCursor } from "./schemas";

export async function listRegisteredDatabases(tx: Tx) {
  return tx
    .select({
      name: databases.name,
      kind: databases.kind,
      status: databases.status,
      envVar: databases.envVar,
    })
    .from(databases)
    .orderBy(sql`${databases.name} <> ${PRIMARY_DATABASE}`, databases.name);
}

/**
 * The registered databases, each with the customers placed on it: counted up to a bound and
 * estimated above it, so the page costs the same at a million customers as at ten.
 */
export async function databasesWithCustomers(tx: Tx) {
  const counted = [];
  for (const d of await listRegisteredDatabases(tx))
    counted.push({
      ...d,
      customers: await listTotal(tx, totalQueries(tx, customers, eq(customers.database, d.name))),
    });
  return counted;
}

const moveColumns = {
  id: moves.id,
  tenantId: moves.tenantId,
  customerName: sql<
    string | null
  >`(select c.name from ${customers} c where c.id = ${moves.tenantId})`,
  source: moves.source,
  target: moves.target,
  mode: moves.mode,
  status: moves.status,
  phase: moves.phase,
  flipped: moves.flipped,
  startedAt: moves.startedAt,
  finishedAt: moves.finishedAt,
  startedBy: moves.startedBy,
  steps: moves.steps,
  progress: moves.progress,
  freezeMs: moves.freezeMs,
  frozenAt: moves.frozenAt,
  lagBytes: moves.lagBytes,
  cancelRequestedBy: moves.cancelRequestedBy,
  cleanupAfter: moves.cleanupAfter,
  cleanedAt: moves.cleanedAt,
  error: moves.error,
};

export type MoveView = Awaited<ReturnType<typeof listMoves>>[number];

/** Moves, newest first, of every customer or of one. */
export async function listMoves(tx: Tx, options: { customer?: string; limit?: number } = {}) {
  const rows = await tx
    .select(moveColumns)
    .from(moves)
    .where(options.customer ? eq(moves.tenantId, options.customer) : undefined)
    .orderBy(desc(moves.startedAt))
    .limit(options.limit ?? 20);
  return rows.map(typed);
}

/**
 * A page of the history of moves (of every customer, or of one), newest first (by start, then
 * ID), by keyset from `cursor`, with the total counted up to a bound and estimated above it: a
 * gradual migration leaves a move per customer, and no page reads more than its rows (the
 * started_at index).
 */
export async function listMovesPage(
  tx: Tx,
  options: { cursor?: MoveCursor; customer?: string; size?: number } = {},
): Promise<KeysetPage<MoveView>> {
  const { cursor, customer, size = MOVES_PER_PAGE } = options;
  const keyset = newestFirst(moves.startedAt, moves.id, "uuid", cursor);
  const of = customer ? eq(moves.tenantId, customer) : undefined;
  const fetched = await tx
    .select({ ...moveColumns, key: keyset.key })
    .from(moves)
    .where(and(of, keyset.after))
    .orderBy(...keyset.order)
    .limit(size + 1);
  const page = keysetPage(
    fetched.map((row) => ({ ...typed(row), key: row.key })),
    size,
    cursor,
    (row, position) => ({ ...position, at: row.key, id: row.id }) satisfies MoveCursor,
  );
  if (!page) return listMovesPage(tx, { customer, size });
  return { ...page, total: await listTotal(tx, totalQueries(tx, moves, of)) };
}

export async function getMove(tx: Tx, id: string) {
  const [row] = await tx.select(moveColumns).from(moves).where(eq(moves.id, id));
  return row ? typed(row) : null;
}

function typed<T extends { steps: unknown; progress: unknown }>(row: T) {
  return {
    ...row,
    steps: row.steps as {
      phase: string;
      startedAt: string;
      ms: number | null;
      outcome: string;
      note?: string;
    }[],
    progress: row.progress as TableProgress[],
  };
}

/**
 * Rows copied a second: the rows so far over the copy phase's time (to now while it runs). Null
 * before the copy starts.
 */
export function copyRate(move: Pick<MoveView, "steps" | "progress">, now = Date.now()) {
  const copy = move.steps.find((s) => s.phase === "copy");
  if (!copy) return null;
  const ms = copy.ms ?? now - Date.parse(copy.startedAt);
  const rows = move.progress.reduce((n, t) => n + t.rows, 0);
  return ms > 0 ? (rows * 1000) / ms : null;
}
