// Moving a customer's data plane to another registered database (docs/architecture.md §13),
// recorded phase by phase in control.moves:
//   prepare  — the target is registered, active, in sync with the primary, and holds no row of
//              the customer; both databases carry the placement guard on every customer table;
//   freeze   — the customer's writes on the source wait (an exclusive advisory lock that every
//              write of the customer's takes shared, in the guard trigger);
//   copy     — table by table in foreign-key order, each COPY out of the source streamed
//              through the archive checksum into a staging table on the target, then inserted
//              as the tenant role under the customer's setting, in one target transaction;
//              online (a large customer), before the freeze, in the snapshot exported with the
//              move's replication slot, then a subscription streams what changed since (catch-up);
//   verify   — every table read back on the target: its rows and checksum equal those the
//              copy read on the source (online, a table the customer wrote since is read on
//              the source again, and those it writes meanwhile again under the freeze:
//              reverify), or the move is undone; the sequences are carried forward;
//   flip     — the target accepts the customer, the source holds it as departed, and the
//              placement points at the target (with `flipped`, in one primary transaction);
//   unfreeze — the held writes go on, find the customer departed, and the data door retries
//              them on the target: none is lost;
//   cleanup  — the customer's rows leave the source in batches, paced; after a grace period
//              (MOVE_CLEANUP_GRACE_MINUTES, default 60) or on confirmation (cleanUpMove), so
//              that the move itself asks the source's other customers for no more than the copy.
// A failure before the flip leaves the customer on the source, untouched, and nothing on the
// target; so does a roll-back asked for while the move runs (cancelMove). A process killed
// mid-move loses its locks and its open transactions with it; resumeMoves then finishes a
// flipped move or rolls back one that was not. At most MOVES_PARALLEL (default 1) moves run at once.
import "server-only";
import { drizzle } from "drizzle-orm/node-postgres";
import { from as copyFrom } from "pg-copy-streams";
import { copyOut, nowhere, Pace, responsivePace } from "@/db/copy";
import { appUrlOf, ownerUrlIn, PRIMARY_DATABASE, type DatabaseEntry } from "@/db/databases";
import {
  readAsPlatform,
  withExportedSlot,
  withKeptOwnerClient,
  withOwnerClient,
  type OwnerClient,
} from "@/db/owner";
import { raiseAlertNow } from "@/lib/alerts/raise";
import { insertAuditEvent } from "@/lib/audit/record";
import { readTable } from "@/lib/portability/export";
import { RowChecksum } from "@/lib/portability/checksum";
import type { TableProgress } from "@/lib/portability/jobs";
import {
  columnList,
  defaultRows,
  customerTables,
  danglingReferences,
  deleteBatch,
  qualifiedName,
  writtenColumns,
  type CustomerTable,
} from "@/lib/portability/tables";
import { planWith } from "../databases/plan";
import { syncDatabase } from "../databases/sync";
import { ensurePlacementGuards } from "./guards";
import { customerRowCounts, mendCustomerRowCounts, reconcileRowCounts } from "../usage/counters";

export const MOVE_PHASES = [
  "prepare",
  "freeze",
  "copy",
  "catch-up",
  "verify",
  "reverify",
  "flip",
  "unfreeze",
  "cleanup",
] as const;
export type MovePhase = (typeof MOVE_PHASES)[number];
export type MoveMode = "offline" | "online";

/** The phases of a move in the order it runs them. */
export const phasesOf = (mode: MoveMode): MovePhase[] =>
  mode === "offline"
    ? ["prepare", "freeze", "copy", "verify", "flip", "unfreeze", "cleanup"]
    : [
        "prepare",
        "copy",
        "catch-up",
        "verify",
        "freeze",
        "reverify",
        "flip",
        "unfreeze",
        "cleanup",
      ];

/** A customer with at least this many rows moves online when its database can (`auto`). */
export const onlineFromRows = () => Number(process.env.MOVE_ONLINE_ROWS ?? 50_000);

/** How long the source keeps a moved customer's rows before they are deleted, unless confirmed sooner. */
export const cleanupGraceMs = () => Number(process.env.MOVE_CLEANUP_GRACE_MINUTES ?? 60) * 60_000;

/**
 * How fast an online move copies (MOVE_COPY_MB_PER_SECOND): `auto` (unset), as fast as the
 * source keeps answering its other clients about as quickly as at rest (responsivePace,
 * db/copy.ts); a number, in MB a second over all its tables; 0, as fast as the servers go.
 */
export function copyPace(): "auto" | number {
  const setting = (process.env.MOVE_COPY_MB_PER_SECOND ?? "").trim();
  if (setting === "" || setting.toLowerCase() === "auto") return "auto";
  const mb = Number(setting);
  if (!Number.isFinite(mb) || mb < 0)
    throw new MoveError(
      `MOVE_COPY_MB_PER_SECOND is "${setting}": give auto, a number of MB a second, or 0 for no limit.`,
    );
  return mb * 2 ** 20;
}

/**
 * `work` at the move's pace (copyPace), the source's response probed over `sourceUrl` for auto:
 * the customer's neighbours are there (docs §13 says why the target is not probed).
 */
function atCopyPace<T>(sourceUrl: string, work: (pace: Pace | null) => Promise<T>): Promise<T> {
  const pace = copyPace();
  if (pace === "auto")
    return withOwnerClient(sourceUrl, (probe) =>
      responsivePace(() => probe.query("select 1"), work),
    );
  return work(pace > 0 ? new Pace(pace) : null);
}

/** How many moves may run at once, over every console and command. */
export const parallelMoves = () => Math.max(1, Number(process.env.MOVES_PARALLEL ?? 1));

export class MoveError extends Error {}

export interface MoveOptions {
  by: string;
  /** Called with the move's ID once it is recorded. */
  onStart?: (moveId: string) => void;
  /** Awaited before the phase's work starts. */
  onPhase?: (phase: MovePhase) => void | Promise<void>;
  /** How long the freeze waits for the customer's writes in flight (default 5 s). */
  lockTimeoutMs?: number;
  /** Rows per delete in cleanup. */
  batch?: number;
  /** How long the source keeps the moved rows before cleanup (default MOVE_CLEANUP_GRACE_MINUTES); 0 cleans up at once. */
  graceMs?: number;
  /** Tests: fail as this phase starts, to prove what a failure there leaves. */
  failAt?: MovePhase;
  /**
   * online: logical replication with a row filter copies and catches up while the customer
   * writes, and the freeze covers only the final catch-up (the source needs wal_level=logical);
   * offline: the customer's writes wait for the whole copy; auto (default): online from
   * MOVE_ONLINE_ROWS (50 000) rows when the source can, else offline.
   */
  mode?: MoveMode | "auto";
}

export interface MoveResult {
  moveId: string;
  mode: MoveMode;
  source: string;
  target: string;
  rows: number;
  freezeMs: number;
}

/** The password of the app's login on another database, which sync gives the app's role there. */
const appPasswordOn = (entry: DatabaseEntry) =>
  entry.name === PRIMARY_DATABASE ? undefined : new URL(appUrlOf(entry)).password || undefined;

const FREEZE_LOCK = "select pg_advisory_lock(hashtext('tenantry.move'), hashtext($1))";
const UNFREEZE = "select pg_advisory_unlock(hashtext('tenantry.move'), hashtext($1))";
/** Held by the process running a move, on the primary: resume takes over only a dead one's. */
const MOVER_LOCK = "hashtext('tenantry.mover'), hashtext($1)";

interface Placement {
  name: string;
  source: DatabaseEntry & { status: string };
  target: DatabaseEntry & { status: string };
}

async function placementFor(primary: OwnerClient, tenantId: string, targetName: string) {
  return readAsPlatform(primary, async () => {
    const { rows } = await primary.query<{ name: string; database: string }>(
      "select name, database from control.customers where id = $1",
      [tenantId],
    );
    if (!rows.length) throw new MoveError(`There is no customer ${tenantId}.`);
    const { rows: dbs } = await primary.query<DatabaseEntry & { status: string }>(
      `select name, env_var as "envVar", status from control.databases where name = any($1)`,
      [[rows[0].database, targetName]],
    );
    const source = dbs.find((d) => d.name === rows[0].database)!;
    const target = dbs.find((d) => d.name === targetName);
    if (!target) throw new MoveError(`No database named ${targetName} is registered.`);
    if (target.name === source.name)
      throw new MoveError(`${rows[0].name} (${tenantId}) lives on ${targetName} already.`);
    if (target.status !== "active")
      throw new MoveError(
        `${targetName} is ${target.status}: customers move only to an active database.`,
      );
    return { name: rows[0].name, source, target } satisfies Placement;
  });
}

/** The move's row, written on the primary as it goes (a connection of its own). */
class MoveRecord {
  steps: {
    phase: string;
    startedAt: string;
    ms: number | null;
    outcome: string;
    note?: string;
  }[] = [];
  progress: TableProgress[] = [];
  /** From the flip on, a roll-back request no longer stops the move. */
  flipped = false;

  constructor(
    private readonly primary: OwnerClient,
    readonly id: string,
  ) {}

  /** The record of a move another process started, as far as it got. */
  static resumed(
    primary: OwnerClient,
    id: string,
    steps: MoveRecord["steps"],
    progress: TableProgress[],
  ): MoveRecord {
    const record = new MoveRecord(primary, id);
    record.steps = steps.map((s) =>
      s.outcome === "running" ? { ...s, outcome: "interrupted" } : s,
    );
    record.progress = progress;
    return record;
  }

  async phase(phase: MovePhase) {
    const last = this.steps.at(-1);
    if (last && last.outcome === "running")
      Object.assign(last, { outcome: "ok", ms: Date.now() - Date.parse(last.startedAt) });
    this.steps.push({ phase, startedAt: new Date().toISOString(), ms: null, outcome: "running" });
    await this.write({ phase });
  }

  /** A remark on the phase in progress, kept with its step. */
  note(text: string) {
    const last = this.steps.at(-1);
    if (last) Object.assign(last, { note: text });
  }

  private lastLiveWrite = 0;

  /**
   * A table's progress, or the replication lag; written at most every 250 ms (the next phase
   * or the end writes the rest). Each write also learns whether a roll-back was asked for.
   */
  async live(update: { table?: TableProgress; lagBytes?: number }) {
    const entry = update.table;
    if (entry) {
      const found = this.progress.find((t) => t.table === entry.table);
      if (found) Object.assign(found, entry);
      else this.progress.push(entry);
    }
    if (Date.now() - this.lastLiveWrite < 250) return;
    this.lastLiveWrite = Date.now();
    await this.write({ lagBytes: update.lagBytes });
  }

  /** Since when the customer's writes are held, or null once they go on. */
  async frozen(since: Date | null) {
    await this.primary.query("update control.moves set frozen_at = $2 where id = $1", [
      this.id,
      since,
    ]);
  }

  /** The source's rows stay, as departed, for `graceMs` or until a confirmation. */
  async waitForCleanup(graceMs: number) {
    await this.primary.query(
      "update control.moves set cleanup_after = now() + make_interval(secs => $2) where id = $1",
      [this.id, graceMs / 1000],
    );
  }

  async cleaned() {
    await this.primary.query("update control.moves set cleaned_at = now() where id = $1", [
      this.id,
    ]);
  }

  /** Ends the step in progress of a move that has ended (its cleanup). */
  async closeStep(outcome: "ok" | "failed") {
    const last = this.steps.at(-1);
    if (last) Object.assign(last, { outcome, ms: Date.now() - Date.parse(last.startedAt) });
    await this.write({});
  }

  async end(status: "succeeded" | "failed", fields: { error?: string; freezeMs?: number }) {
    const last = this.steps.at(-1);
    if (last && last.outcome === "running")
      Object.assign(last, {
        outcome: status === "succeeded" ? "ok" : "failed",
        ms: Date.now() - Date.parse(last.startedAt),
      });
    await this.write({ status, finished: true, ...fields });
  }

  async write(fields: {
    phase?: string;
    status?: string;
    finished?: boolean;
    error?: string;
    freezeMs?: number;
    lagBytes?: number;
  }) {
    const { rows } = await this.primary.query<{ cancel: string | null }>(
      `update control.moves set steps = $2, progress = $3, updated_at = now(),
              phase = coalesce($4, phase), status = coalesce($5, status), error = coalesce($6, error),
              freeze_ms = coalesce($7, freeze_ms), lag_bytes = coalesce($8, lag_bytes),
              finished_at = case when $9 then now() else finished_at end
        where id = $1 returning cancel_requested_by as cancel`,
      [
        this.id,
        JSON.stringify(this.steps),
        JSON.stringify(this.progress),
        fields.phase ?? null,
        fields.status ?? null,
        fields.error ?? null,
        fields.freezeMs ?? null,
        fields.lagBytes ?? null,
        fields.finished === true,
      ],
    );
    const by = rows[0]?.cancel;
    if (by && !this.flipped && !fields.finished)
      throw new MoveError(`rolled back as ${by} asked; the customer stays where it was`);
  }
}

/** The customer's held state on a database, and setting or clearing it. */
async function isDeparted(client: OwnerClient, tenantId: string) {
  const { rows } = await client.query("select 1 from placement.held where customer_id = $1", [
    tenantId,
  ]);
  return rows.length > 0;
}
const depart = (client: OwnerClient, tenantId: string) =>
  client.query(
    "insert into placement.held (customer_id, state) values ($1, 'departed') on conflict (customer_id) do update set state = 'departed', since = now()",
    [tenantId],
  );
const arrive = (client: OwnerClient, tenantId: string) =>
  client.query("delete from placement.held where customer_id = $1", [tenantId]);

/**
 * Deletes the customer's rows from a database in reverse foreign-key order, in batches; the rows
 * it deleted.
 */
async function deleteRows(
  client: OwnerClient,
  tables: CustomerTable[],
  tenantId: string,
  batch: number,
  /** Rest this share of each batch's time after it, leaving the database to the others. */
  restShare = 0,
): Promise<number> {
  let deleted = 0;
  // In replica mode, as an erase: no trigger of the application writes a row of the customer
  // back, and tables in a cycle go too (every row pointing at one of the customer's is its own).
  await client.query("set session_replication_role = replica");
  try {
    for (const t of [...tables].reverse()) {
      for (;;) {
        const started = performance.now();
        const { rowCount } = await client.query(deleteBatch(t, batch, "tenant_id = $1"), [
          tenantId,
        ]);
        deleted += rowCount ?? 0;
        if ((rowCount ?? 0) < batch) break;
        if (restShare > 0)
          await new Promise((resolve) =>
            setTimeout(resolve, (performance.now() - started) * restShare),
          );
      }
    }
  } finally {
    await client.query("reset session_replication_role");
  }
  // Nor did the counting triggers run: the customer's counts here, mended to none.
  await mendCustomerRowCounts(client, tenantId);
  return deleted;
}

/** The sequences of the data plane move forward on the target past where the source's stand. */
async function carrySequences(source: OwnerClient, target: OwnerClient, schemas: string[]) {
  const { rows } = await source.query<{ name: string; last: string }>(
    `select quote_ident(schemaname) || '.' || quote_ident(sequencename) as name, last_value::text as last
       from pg_sequences where schemaname = any($1) and last_value is not null`,
    [schemas],
  );
  // All in one statement: a small customer's move is mostly round trips.
  await target.query(
    `select setval(s.name::regclass, greatest(s.last, coalesce(t.last_value, 0)))
       from unnest($1::text[], $2::bigint[]) s (name, last)
       left join pg_sequences t on quote_ident(t.schemaname) || '.' || quote_ident(t.sequencename) = s.name`,
    [rows.map((q) => q.name), rows.map((q) => q.last)],
  );
}

export async function moveCustomer(
  primaryUrl: string,
  tenantId: string,
  targetName: string,
  options: MoveOptions,
): Promise<MoveResult> {
  copyPace(); // a setting it cannot read stops the move before it starts, not in its copy
  return withKeptOwnerClient(primaryUrl, async (primary) => {
    const placement = await placementFor(primary, tenantId, targetName);
    await primary.query("select set_config('app.tenant_id', $1, false)", [tenantId]);
    const moveId = await recordStart(primary, placement, tenantId, options.by);
    await primary.query(`select pg_advisory_lock(${MOVER_LOCK})`, [moveId]);
    const record = new MoveRecord(primary, moveId);
    options.onStart?.(moveId);
    try {
      return await runMove(primaryUrl, primary, record, placement, tenantId, options);
    } finally {
      await primary
        .query(`select pg_advisory_unlock(${MOVER_LOCK})`, [moveId])
        .catch(() => undefined);
    }
  });
}

/**
 * The move's row, once no other move of the customer runs and fewer than MOVES_PARALLEL run in
 * all (counted under a lock, so two consoles starting at once cannot both pass).
 */
async function recordStart(
  primary: OwnerClient,
  placement: Placement,
  tenantId: string,
  by: string,
): Promise<string> {
  await primary.query("begin");
  try {
    await primary.query("select pg_advisory_xact_lock(hashtext('tenantry.moves.start'))");
    await primary.query("set local role tenantry_platform");
    const { rows: running } = await primary.query<{ tenant_id: string }>(
      "select tenant_id from control.moves where status = 'running'",
    );
    await primary.query("reset role");
    if (running.some((m) => m.tenant_id === tenantId))
      throw new MoveError(`${placement.name} (${tenantId}) is being moved already.`);
    const limit = parallelMoves();
    if (running.length >= limit)
      throw new MoveError(
        `${running.length} ${running.length === 1 ? "move is" : "moves are"} running already, and at most ${limit} run at once (MOVES_PARALLEL): start this one when ${running.length === 1 ? "it ends" : "one ends"}.`,
      );
    const { rows } = await primary.query<{ id: string }>(
      "insert into control.moves (tenant_id, source, target, mode, started_by) values ($1, $2, $3, 'offline', $4) returning id",
      [tenantId, placement.source.name, placement.target.name, by],
    );
    await primary.query("commit");
    return rows[0].id;
  } catch (error) {
    await primary.query("rollback");
    throw error;
  }
}

async function runMove(
  primaryUrl: string,
  primary: OwnerClient,
  record: MoveRecord,
  placement: Placement,
  tenantId: string,
  options: MoveOptions,
): Promise<MoveResult> {
  const sourceUrl = ownerUrlIn(primaryUrl, placement.source);
  const targetUrl = ownerUrlIn(primaryUrl, placement.target);
  const at = async (phase: MovePhase) => {
    await record.phase(phase);
    await options.onPhase?.(phase);
    if (options.failAt === phase) throw new MoveError(`a failure injected at ${phase}`);
  };
  return withKeptOwnerClient(sourceUrl, (source) =>
    withKeptOwnerClient(targetUrl, async (target) => {
      for (const c of [source, target])
        await c.query("select set_config('app.tenant_id', $1, false)", [tenantId]);
      let frozeAt: number | null = null;
      let freezeMs = 0;
      let targetWasDeparted = false;
      let flipped = false;
      /** Whether the target may hold rows of the customer that this move wrote. */
      let copied = false;
      let replicating = false;
      /** Whether the source notes the customer's writes (placement.moving). */
      let watching = false;
      let mode: MoveMode = "offline";
      let rows = 0;
      const tables = writtenColumns(await customerTables(source));
      try {
        await at("prepare");
        // The target gets what it lacks of the primary's data plane (sync makes only that, and
        // refuses, before writing, what it cannot make).
        // A target that lacks nothing (the usual case) is only read.
        // Read over the connections the move holds: opening two more costs more than the read.
        const lacking = (await planWith(primary, target)).create.length;
        if (lacking) {
          const synced = await syncDatabase(primaryUrl, targetUrl, {
            appPassword: appPasswordOn(placement.target),
          }).catch((error: Error) => {
            throw new MoveError(
              `${placement.target.name} cannot be brought in sync: ${error.message}`,
            );
          });
          record.note(`synced ${synced.create.length} objects`);
        }
        // Rows an earlier move away from the target left there, waiting for their cleanup, are
        // out of date: they go first.
        const left = await cleanUpsWaiting(primary, tenantId, placement.target.name);
        for (const id of left) await cleanUpMove(primaryUrl, id, { by: options.by });
        if (left.length) record.note(`removed the rows ${left.length} earlier move(s) left there`);
        const holding = await firstHolding(target, tables, tenantId);
        if (holding)
          throw new MoveError(
            `${placement.target.name} holds rows of ${tenantId} already (${holding.schema}.${holding.table}): nothing was moved.`,
          );
        // The target's guards came with sync.
        await ensurePlacementGuards(source, tables);
        targetWasDeparted = await isDeparted(target, tenantId);
        await primary.query("update control.moves set target_was_departed = $2 where id = $1", [
          record.id,
          targetWasDeparted,
        ]);
        // The progress's totals, and the size that chooses the mode: the counters' figures.
        const counts = await customerRowCounts(source, tables, tenantId);
        record.progress = tables.map((t, i) => ({
          table: `${t.schema}.${t.table}`,
          rows: 0,
          of: counts[i],
          state: "waiting",
        }));
        // From here on, whatever the target holds of the customer is this move's to remove.
        copied = true;
        mode = await chooseMode(
          source,
          counts.reduce((n, c) => n + c, 0),
          placement.source.name,
          options.mode,
        );
        await primary.query("update control.moves set mode = $2 where id = $1", [record.id, mode]);

        if (mode === "offline") {
          await at("freeze");
          frozeAt = await freeze(source, tenantId, options, record);

          await at("copy");
          const copied = await copyTables(source, target, tables, tenantId, record);
          rows = [...copied.values()].reduce((n, t) => n + t.rows, 0);

          await at("verify");
          await verifyAgainst(source, target, tables, tenantId, record, placement.target.name, {
            copied,
          });
        } else {
          await at("copy");
          // The tables the customer writes from before the copy's snapshot on are noted on the
          // source (the guard trigger): the others hold there what the copy read.
          watching = true;
          await watchWrites(source, tenantId, options);
          replicating = true;
          // One pace from the copy through the verification, which reads every row again.
          await atCopyPace(sourceUrl, async (pace) => {
            const copied = await copyAndReplicate(
              source,
              target,
              sourceUrl,
              tables,
              tenantId,
              record,
              pace,
            );

            await at("catch-up");
            await waitForLag(source, record, 16 * 2 ** 20, 10_000);

            // Every table verified while the customer writes on: against what the copy read,
            // or, for those it wrote since, read on the source again. Those it writes from here
            // on are verified again under the freeze, so the freeze lasts as long as the final
            // catch-up and those tables, not the customer's size nor the copy's length.
            await at("verify");
            const changed = await watchWrites(source, tenantId, options);
            await verifyAgainst(source, target, tables, tenantId, record, placement.target.name, {
              copied,
              changed,
              retryForMs: 30_000,
              whileWriting: true,
              pace,
            });
          });

          await at("freeze");
          frozeAt = await freeze(source, tenantId, options, record);

          await at("reverify");
          // Frozen, the source changes no more for the customer: the target converges on it.
          const written = await writtenTables(source, tables, tenantId);
          record.note(`${written.length} of ${tables.length} tables written during the move`);
          await verifyAgainst(source, target, written, tenantId, record, placement.target.name, {
            retryForMs: 30_000,
          });
          rows = record.progress.reduce((n, t) => n + t.rows, 0);
          await stopReplication(source, target, record.id);
          replicating = false;
          await unwatchWrites(source, tenantId);
          watching = false;
        }
        await carrySequences(source, target, [...new Set(tables.map((t) => t.schema))]);

        await at("flip");
        await arrive(target, tenantId);
        await depart(source, tenantId);
        await primary.query("begin");
        const { rowCount } = await primary.query(
          "update control.customers set database = $2, version = version + 1 where id = $1 and database = $3",
          [tenantId, placement.target.name, placement.source.name],
        );
        if (rowCount !== 1) throw new MoveError(`${tenantId}'s placement changed during the move.`);
        await primary.query("update control.moves set flipped = true where id = $1", [record.id]);
        await insertAuditEvent(drizzle(primary), {
          action: "moves.flip",
          outcome: "ok",
          actorRole: options.by.includes("@") ? null : options.by,
          actorEmail: options.by.includes("@") ? options.by : null,
          tenantId,
          targetType: "move",
          targetId: record.id,
          details: { from: placement.source.name, to: placement.target.name, rows },
        });
        await primary.query("commit");
        flipped = record.flipped = true;

        await at("unfreeze");
        await source.query(UNFREEZE, [tenantId]);
        await record.frozen(null);
        freezeMs = Date.now() - frozeAt;
        frozeAt = null;
        // Offline, the copy mended the counts it wrote; online, most rows came past them.
        if (mode === "online") await recount(target, tenantId);

        await finishFlipped(record, source, tables, tenantId, options, async () => {
          await at("cleanup");
        });
        await record.end("succeeded", { freezeMs });
        return {
          moveId: record.id,
          mode,
          source: placement.source.name,
          target: placement.target.name,
          rows,
          freezeMs,
        };
      } catch (error) {
        await source.query("rollback").catch(() => undefined);
        await target.query("rollback").catch(() => undefined);
        await primary.query("rollback").catch(() => undefined);
        if (replicating)
          await stopReplication(source, target, record.id).catch((e: Error) =>
            console.error(`move ${record.id}: replication: ${e.message}`),
          );
        if (watching) await unwatchWrites(source, tenantId).catch(() => undefined);
        if (!flipped) {
          // Before the flip the customer stays where it was: nothing on the target, the source as it was.
          await undoBeforeFlip(primary, source, target, tables, tenantId, {
            copied,
            targetWasDeparted,
            moveId: record.id,
          }).catch((e: Error) => console.error(`move ${record.id}: undo: ${e.message}`));
        }
        if (frozeAt !== null) {
          await source.query(UNFREEZE, [tenantId]).catch(() => undefined);
          await record.frozen(null).catch(() => undefined);
          freezeMs = Date.now() - frozeAt;
        }
        await record
          .end("failed", { error: (error as Error).message, freezeMs: freezeMs || undefined })
          .catch((e: Error) => console.error(`move ${record.id}: ${e.message}`));
        await raiseAlertNow({
          kind: "failure",
          tenantId,
          dedupeKey: `move:${record.id}`,
          summary: `Moving ${placement.name} (${tenantId}) to ${placement.target.name} failed: ${(error as Error).message}`,
          details: { moveId: record.id, flipped },
        });
        throw error;
      }
    }),
  );
}

/** The first table that holds a row of the customer, if any, asked in one statement. */
async function firstHolding(
  client: OwnerClient,
  tables: CustomerTable[],
  tenantId: string,
): Promise<CustomerTable | undefined> {
  if (!tables.length) return undefined;
  const { rows } = await client.query<Record<string, boolean>>(
    `select ${tables.map((t, i) => `exists (select from ${qualifiedName(t)} where tenant_id = $1) as h${i}`).join(", ")}`,
    [tenantId],
  );
  return tables.find((_, i) => rows[0][`h${i}`]);
}

/** Online when asked (and possible), or by size and the source's wal_level under `auto`. */
async function chooseMode(
  source: OwnerClient,
  total: number,
  sourceName: string,
  asked: MoveOptions["mode"] = "auto",
): Promise<MoveMode> {
  if (asked === "offline") return "offline";
  const { rows } = await source.query<{ wal_level: string }>("show wal_level");
  const logical = rows[0].wal_level === "logical";
  if (asked === "online" && !logical)
    throw new MoveError(
      `${sourceName} runs with wal_level=${rows[0].wal_level}: an online move needs logical replication there (wal_level=logical, then a restart). Move offline instead: its writes then wait for the whole copy.`,
    );
  if (asked === "online") return "online";
  if (!logical) return "offline";
  return total >= onlineFromRows() ? "online" : "offline";
}

/** Holds the customer's writes on the source (at most lockTimeoutMs waiting for those in flight). */
async function freeze(
  source: OwnerClient,
  tenantId: string,
  options: MoveOptions,
  record: MoveRecord,
) {
  await source.query(`set lock_timeout = ${options.lockTimeoutMs ?? 5_000}`);
  await source.query(FREEZE_LOCK, [tenantId]);
  await source.query("set lock_timeout = 0");
  const at = Date.now();
  await record.frozen(new Date(at));
  return at;
}

/**
 * After the flip: the source's rows of the customer go now (a grace of 0), or wait for their
 * grace period or a confirmation (cleanUpMove), the move ending meanwhile.
 */
async function finishFlipped(
  record: MoveRecord,
  source: OwnerClient,
  tables: CustomerTable[],
  tenantId: string,
  options: Pick<MoveOptions, "graceMs" | "batch">,
  startCleanup: () => Promise<void>,
) {
  const grace = options.graceMs ?? cleanupGraceMs();
  if (grace > 0) {
    await record.waitForCleanup(grace);
    return;
  }
  await startCleanup();
  await deleteSourceRows(source, tables, tenantId, options.batch);
  await record.cleaned();
}

/**
 * The moved customer's rows leave the source in batches, gently: after each batch it rests a
 * share of the batch's time (MOVE_CLEANUP_REST, default 1), leaving the source to its other
 * customers.
 */
const deleteSourceRows = (
  source: OwnerClient,
  tables: CustomerTable[],
  tenantId: string,
  batch = 5_000,
) => deleteRows(source, tables, tenantId, batch, Number(process.env.MOVE_CLEANUP_REST ?? 1));

/**
 * The copy: every table by COPY, in one target transaction, committed; the source read in one
 * snapshot — the freeze's (offline: through staging, inserted as the tenant role), or
 * `online.snapshot`, the one exported with an online move's replication slot (straight into the
 * table, at `online.pace`).
 * One table at a time, over one connection on each side: the source's other customers share its
 * server with the copy.
 */
async function copyTables(
  source: OwnerClient,
  target: OwnerClient,
  tables: CustomerTable[],
  tenantId: string,
  record: MoveRecord,
  online?: { snapshot: string; pace: Pace | null },
): Promise<Copied> {
  const copied: Copied = new Map();
  await source.query("begin isolation level repeatable read read only");
  if (online)
    await source.query(`set transaction snapshot ${source.escapeLiteral(online.snapshot)}`);
  await target.query("begin");
  // Online, the rows go in as the subscription's apply worker will put the later ones: in
  // replica mode, without the foreign keys' checks (the source's snapshot is consistent) or the
  // counting triggers (the counts are taken again after the unfreeze, as for replicated rows),
  // straight into the table as the owner, past row-level security; and at `online.pace` when
  // given (copyPace), as the customer's neighbours on the source go on meanwhile. The move may:
  // its subscription's apply worker takes the same privileges.
  if (online) await target.query("set local session_replication_role = replica");
  // Offline: every staging table in one round trip, and every table's insert from it in one at
  // the end: a small customer's move is mostly round trips.
  const staging = (i: number) => `pg_temp.move_${i}`;
  if (!online)
    await target.query(
      tables
        .map(
          (t, i) =>
            `create temporary table ${staging(i)} on commit drop as select ${columnList(t.columns)} from ${qualifiedName(t)} with no data;
             grant select on ${staging(i)} to tenantry_tenant`,
        )
        .join(";\n"),
    );
  // Online, the copy step says the pace it goes at (the move's page lists it with the phase).
  const paced = online && paceNote(online.pace);
  for (const [i, t] of tables.entries()) {
    const table = `${t.schema}.${t.table}`;
    const of = record.progress.find((p) => p.table === table)?.of ?? null;
    // Rows so far, as they stream (a write at most every 250 ms); a roll-back asked for
    // meanwhile, learnt by such a write, stops the copy at the table's end.
    let live: Promise<unknown> = Promise.resolve();
    let stop: unknown = null;
    const sum = new RowChecksum((n) => {
      if (paced) record.note(paced());
      live = live
        .then(() => record.live({ table: { table, rows: n, of, state: "running" } }))
        .catch((error) => (stop ??= error));
    });
    // A table with no column but the customer's: only its rows' number goes (defaultRows).
    const counted = t.columns.length === 0;
    const into = counted
      ? nowhere()
      : target.query(
          copyFrom(
            `copy ${online ? qualifiedName(t) : staging(i)} (${columnList(t.columns)}) from stdin`,
          ),
        );
    await copyOut(
      source,
      `select ${columnList(t.columns)} from ${qualifiedName(t)} where tenant_id = '${tenantId}'`,
      sum,
      ...(online?.pace ? [online.pace.stage()] : []),
      into,
    );
    if (counted && online) await target.query(defaultRows(t, sum.rows));
    await live;
    if (stop) throw stop;
    copied.set(qualifiedName(t), { rows: sum.rows, checksum: sum.checksum });
    await record.live({ table: { table, rows: sum.rows, of: sum.rows, state: "done" } });
  }
  if (paced) record.note(paced());
  // Offline, the rows go from staging into the tables in foreign-key order, as the tenant role
  // under the customer's setting: as they were (identity values too), in replica mode like an
  // online copy's, so no trigger of the application writes its rows a second time and tables
  // in a cycle go in at all; their foreign keys are checked after, for the customer's rows.
  if (!online) {
    await target.query(
      `set local session_replication_role = replica;
       set local role tenantry_tenant;
       ${tables
         .map((t, i) =>
           t.columns.length === 0
             ? `${defaultRows(t, copied.get(qualifiedName(t))!.rows)};`
             : `insert into ${qualifiedName(t)} (${columnList(t.columns)}) overriding system value select ${columnList(t.columns)} from ${staging(i)};`,
         )
         .join("\n")}`,
    );
    const dangling = await danglingReferences(target, tables);
    await target.query("reset role");
    if (dangling.length)
      throw new MoveError(
        `The copied rows point at rows that were not copied: ${dangling.join(", ")}.`,
      );
    // Nor did the counting triggers run: the customer's counts there, in the same transaction.
    await mendCustomerRowCounts(target, tenantId);
  }
  await source.query("commit");
  await target.query("commit");
  return copied;
}

/** The words for a copy's pace from now on: its rate now (auto), and the average since. */
function paceNote(pace: Pace | null): () => string {
  const auto = copyPace() === "auto";
  const started = { at: Date.now(), bytes: pace?.bytes ?? 0 };
  const mb = (bytesPerSecond: number) => `${(bytesPerSecond / 2 ** 20).toFixed(1)} MB/s`;
  if (!pace) return () => "not paced (MOVE_COPY_MB_PER_SECOND=0)";
  return () => {
    const seconds = Math.max((Date.now() - started.at) / 1000, 0.001);
    const average = `${mb((pace.bytes - started.bytes) / seconds)} on average`;
    return auto
      ? `paced by the source's response time: ${mb(pace.bytesPerSecond)} now, ${average}`
      : `paced at ${mb(pace.bytesPerSecond)}: ${average}`;
  };
}

/** Each table's rows and checksum as the copy read them on the source, by qualified name. */
type Copied = Map<string, { rows: number; checksum: string }>;

/**
 * Every table of the customer read back on the target: its rows and checksum equal the
 * source's, or — given `retryForMs`, while replication catches up — looked at again until they
 * are. Returns the rows verified. The source's figures are the copy's (`copied`) for a table the
 * source has not changed since the copy's snapshot (not in `changed`): every table under an
 * offline move's freeze, and, online, each one the customer has not written since. The others
 * are read on the source too: before the freeze (`whileWriting`) first the source, then the
 * target, leaving the servers' other work room, and a table the customer writes meanwhile is left
 * to the verification under the freeze; under it, both at once (its length is the
 * verification's). So before the freeze the source, where the customer's neighbours work, is
 * read only for the tables the customer wrote during the copy, and every read goes at `pace`
 * (the copy's); under the freeze, at full speed.
 */
async function verifyAgainst(
  source: OwnerClient,
  target: OwnerClient,
  tables: CustomerTable[],
  tenantId: string,
  record: MoveRecord,
  targetName: string,
  options: {
    copied?: Copied;
    changed?: Set<string>;
    retryForMs?: number;
    whileWriting?: boolean;
    pace?: Pace | null;
  } = {},
): Promise<number> {
  const where = `tenant_id = '${tenantId}'`;
  const retry = options.retryForMs ?? 0;
  // Under the freeze the whole verification has `retry`; while writing, each table read on the
  // source has it. A table that differs from the copy has nothing on its way: it fails at once.
  const deadline = Date.now() + retry;
  // Paced, the step says so as the copy's does.
  const paced = options.pace !== undefined && paceNote(options.pace);
  const onRows = paced ? () => record.note(paced()) : undefined;
  let rows = 0;
  for (const t of tables) {
    const name = `${t.schema}.${t.table}`;
    const copy = options.changed?.has(qualifiedName(t))
      ? undefined
      : options.copied?.get(qualifiedName(t));
    const read = (client: OwnerClient) =>
      readTable(client, t, { where, pace: options.pace, onRows });
    const [there, first] = copy
      ? [copy, await read(target)]
      : options.whileWriting
        ? [await read(source), await read(target)]
        : await Promise.all([read(source), read(target)]);
    // While writing, the table's `retry` counts from its first comparison: its paced reads may
    // take longer than that on their own.
    const until = copy ? 0 : options.whileWriting ? Date.now() + retry : deadline;
    let here = first;
    let deferred = false;
    while (here.rows !== there.rows || here.checksum !== there.checksum) {
      if (options.whileWriting && (await writtenTables(source, [t], tenantId)).length) {
        deferred = true;
        break;
      }
      if (Date.now() > until)
        throw new MoveError(
          `${name} reads ${here.rows} rows with checksum ${here.checksum} on ${targetName}; the source has ${there.rows} with ${there.checksum}. Nothing was moved.`,
        );
      await new Promise((resolve) => setTimeout(resolve, 100));
      here = await read(target);
    }
    if (deferred) continue;
    rows += there.rows;
    await record.live({ table: { table: name, rows: there.rows, of: there.rows, state: "done" } });
  }
  return rows;
}

/**
 * The source notes which tables the customer writes from now on (placement.moving; the guard
 * trigger fills placement.touched). Returns the tables it had noted since the last call, which
 * it forgets: from here on a table is noted again at its next write. A write already under way
 * may have noted its table before (or found it noted) and commit after: the freeze's lock, taken
 * and given back at once, waits for every one of them to end, so what the source is read to hold
 * from here on includes them.
 */
async function watchWrites(
  source: OwnerClient,
  tenantId: string,
  options: MoveOptions,
): Promise<Set<string>> {
  await source.query(
    "insert into placement.moving (customer_id) values ($1) on conflict do nothing",
    [tenantId],
  );
  const { rows } = await source.query<{ schema: string; table: string }>(
    `with noted as (delete from placement.touched where customer_id = $1 returning relid)
     select n.nspname as schema, c.relname as table
       from noted join pg_class c on c.oid = noted.relid join pg_namespace n on n.oid = c.relnamespace`,
    [tenantId],
  );
  await source.query(`set lock_timeout = ${options.lockTimeoutMs ?? 5_000}`);
  await source.query(FREEZE_LOCK, [tenantId]);
  await source.query(UNFREEZE, [tenantId]);
  await source.query("set lock_timeout = 0");
  return new Set(rows.map(qualifiedName));
}

async function unwatchWrites(source: OwnerClient, tenantId: string) {
  await source.query("delete from placement.moving where customer_id = $1", [tenantId]);
  await source.query("delete from placement.touched where customer_id = $1", [tenantId]);
}

/** The tables the customer wrote on the source since watchWrites last returned. */
async function writtenTables(source: OwnerClient, tables: CustomerTable[], tenantId: string) {
  const { rows } = await source.query<{ schema: string; table: string }>(
    `select n.nspname as schema, c.relname as table from placement.touched t
       join pg_class c on c.oid = t.relid join pg_namespace n on n.oid = c.relnamespace
      where t.customer_id = $1`,
    [tenantId],
  );
  const written = new Set(rows.map((r) => qualifiedName(r)));
  return tables.filter((t) => written.has(qualifiedName(t)));
}

/** The replication objects of a move: a publication on the source, a subscription on the target. */
const replicationName = (moveId: string) => `tenantry_move_${moveId.replaceAll("-", "")}`;

/**
 * The online copy and the replication after it: a publication of the customer's rows on the
 * source, a slot made with an exported snapshot, the tables copied in that snapshot (copyTables:
 * one at a time, over one connection a side, rather than the subscription's table-sync workers,
 * two or more at once, each with its own sender on the source), then a subscription on the
 * target that streams, from that slot, every change made after the snapshot.
 */
async function copyAndReplicate(
  source: OwnerClient,
  target: OwnerClient,
  sourceUrl: string,
  tables: CustomerTable[],
  tenantId: string,
  record: MoveRecord,
  pace: Pace | null,
) {
  const name = replicationName(record.id);
  const filter = `(tenant_id = ${source.escapeLiteral(tenantId)})`;
  await source.query(
    // A partitioned table's rows go as its own, filtered by its filter (its partitions have none).
    `create publication ${name} for table ${tables.map((t) => `${qualifiedName(t)} where ${filter}`).join(", ")}
       with (publish_via_partition_root = true)`,
  );
  const copied = await withExportedSlot(sourceUrl, name, (snapshot) =>
    copyTables(source, target, tables, tenantId, record, { snapshot, pace }),
  );
  // The target's apply worker runs as its owner, applying the source's rows as they were.
  await target.query(
    `create subscription ${name} connection ${target.escapeLiteral(sourceUrl)} publication ${name}
       with (copy_data = false, create_slot = false, slot_name = ${name})`,
  );
  return copied;
}

/** The replication slot's lag behind the source's WAL, in bytes (null before the slot exists). */
async function lagOf(source: OwnerClient, moveId: string): Promise<number | null> {
  const { rows } = await source.query<{ lag: string | null }>(
    "select pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::text as lag from pg_replication_slots where slot_name = $1",
    [replicationName(moveId)],
  );
  return rows[0]?.lag == null ? null : Number(rows[0].lag);
}

/** Waits (at most `forMs`) until the subscription has confirmed all but `bytes` of the source's WAL. */
async function waitForLag(source: OwnerClient, record: MoveRecord, bytes: number, forMs: number) {
  const until = Date.now() + forMs;
  for (;;) {
    const lag = await lagOf(source, record.id);
    await record.live({ lagBytes: lag ?? undefined });
    if ((lag !== null && lag <= bytes) || Date.now() > until) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Drops the move's subscription (with its slot on the source) and publication, if they exist. */
async function stopReplication(source: OwnerClient, target: OwnerClient, moveId: string) {
  const name = replicationName(moveId);
  await target.query(`drop subscription if exists ${name}`);
  await source.query(`drop publication if exists ${name}`);
  // A slot the subscription could not drop (the source was unreachable then) must not stay:
  // an abandoned slot keeps the source's WAL forever.
  await source.query(
    "select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = $1 and not active",
    [name],
  );
}

/** Puts a move that did not flip back: no row on the target, the source not departed. */
async function undoBeforeFlip(
  primary: OwnerClient,
  source: OwnerClient,
  target: OwnerClient,
  tables: CustomerTable[],
  tenantId: string,
  state: { copied: boolean; targetWasDeparted: boolean; moveId: string },
) {
  const { rows } = await primary.query<{ database: string }>(
    "select database from control.customers where id = $1",
    [tenantId],
  );
  // Only while the placement still names the source: after a flip, going back is a move.
  const { rows: move } = await primary.query<{ source: string }>(
    "select source from control.moves where id = $1",
    [state.moveId],
  );
  if (rows[0]?.database !== move[0]?.source) return;
  await arrive(source, tenantId);
  // Rows on the target are the move's only once its copy committed; before, a rollback took them.
  if (state.copied) await deleteRows(target, tables, tenantId, 5_000);
  if (state.targetWasDeparted) await depart(target, tenantId);
}

/**
 * The customer's row counts on the target taken again after the flip: rows that came by
 * replication passed no statement trigger there (lib/usage/counters.ts). Not under the freeze:
 * the count and the counts it mends are read in one snapshot, so the writes that commit after it
 * count on top, and the freeze does not grow with the customer's size.
 */
const recount = (target: OwnerClient, tenantId: string) => reconcileRowCounts(target, { tenantId });

type ResumeOutcome = "finished" | "rolled back" | "still running";

/**
 * Moves left running by a process that died (its mover lock on the primary is free): a flipped
 * one is finished (the source departed, the target accepting, the source's rows cleaned up), one
 * that did not flip is rolled back (nothing on the target, the source accepting again). Moves
 * whose process still runs are left alone, and said to be ("still running").
 */
export async function resumeMoves(
  primaryUrl: string,
): Promise<{ moveId: string; tenantId: string; outcome: ResumeOutcome }[]> {
  return withOwnerClient(primaryUrl, async (primary) => {
    await primary.query("begin read only");
    await primary.query("set local role tenantry_platform");
    const { rows: running } = await primary.query<{
      id: string;
      tenant_id: string;
      source: string;
      target: string;
      flipped: boolean;
      target_was_departed: boolean;
      phase: string;
      cancel_requested_by: string | null;
      steps: MoveRecord["steps"];
      progress: TableProgress[];
    }>(
      "select id, tenant_id, source, target, flipped, target_was_departed, phase, cancel_requested_by, steps, progress from control.moves where status = 'running' order by started_at",
    );
    const { rows: dbs } = await primary.query<DatabaseEntry>(
      `select name, env_var as "envVar" from control.databases`,
    );
    await primary.query("rollback");
    const done: { moveId: string; tenantId: string; outcome: ResumeOutcome }[] = [];
    for (const m of running) {
      const { rows: lock } = await primary.query<{ ok: boolean }>(
        `select pg_try_advisory_lock(${MOVER_LOCK}) as ok`,
        [m.id],
      );
      if (!lock[0].ok) {
        done.push({ moveId: m.id, tenantId: m.tenant_id, outcome: "still running" });
        continue;
      }
      try {
        await primary.query("select set_config('app.tenant_id', $1, false)", [m.tenant_id]);
        const record = MoveRecord.resumed(primary, m.id, m.steps, m.progress);
        const entry = (name: string) => dbs.find((d) => d.name === name)!;
        await withOwnerClient(ownerUrlIn(primaryUrl, entry(m.source)), (source) =>
          withOwnerClient(ownerUrlIn(primaryUrl, entry(m.target)), async (target) => {
            for (const c of [source, target])
              await c.query("select set_config('app.tenant_id', $1, false)", [m.tenant_id]);
            const tables = writtenColumns(await customerTables(source));
            await stopReplication(source, target, m.id);
            await unwatchWrites(source, m.tenant_id);
            if (m.flipped) {
              record.flipped = true;
              await arrive(target, m.tenant_id);
              await depart(source, m.tenant_id);
              await record.frozen(null);
              await recount(target, m.tenant_id);
              await finishFlipped(record, source, tables, m.tenant_id, {}, () =>
                record.phase("cleanup"),
              );
              await record.end("succeeded", {});
              done.push({ moveId: m.id, tenantId: m.tenant_id, outcome: "finished" });
            } else {
              await undoBeforeFlip(primary, source, target, tables, m.tenant_id, {
                copied: true,
                targetWasDeparted: m.target_was_departed,
                moveId: m.id,
              });
              await record.frozen(null);
              await record.end("failed", {
                error: m.cancel_requested_by
                  ? `rolled back as ${m.cancel_requested_by} asked (the process running it had stopped during ${m.phase}); the customer stays on ${m.source}`
                  : `interrupted during ${m.phase}: the process running it stopped; rolled back, the customer stays on ${m.source}`,
              });
              done.push({ moveId: m.id, tenantId: m.tenant_id, outcome: "rolled back" });
            }
          }),
        );
      } finally {
        await primary.query(`select pg_advisory_unlock(${MOVER_LOCK})`, [m.id]);
      }
    }
    return done;
  });
}

/** The moves of a customer away from `database` whose rows there still wait for their cleanup. */
async function cleanUpsWaiting(primary: OwnerClient, tenantId: string, database: string) {
  const { rows } = await primary.query<{ id: string }>(
    `select id from control.moves where tenant_id = $1 and source = $2 and status = 'succeeded'
        and flipped and cleaned_at is null order by started_at`,
    [tenantId, database],
  );
  return rows.map((r) => r.id);
}

/**
 * Deletes the rows a finished move left on its source (they wait there, departed, for their grace
 * period): on confirmation, when the grace period is over, before the customer moves back there,
 * and before an erase. Recorded as the move's cleanup step, and audited. Returns the rows deleted.
 */
export async function cleanUpMove(
  primaryUrl: string,
  moveId: string,
  options: { by: string; batch?: number },
): Promise<{ rows: number }> {
  return withOwnerClient(primaryUrl, async (primary) => {
    const { rows: lock } = await primary.query<{ ok: boolean }>(
      `select pg_try_advisory_lock(${MOVER_LOCK}) as ok`,
      [moveId],
    );
    if (!lock[0].ok)
      throw new MoveError("That move is still running, or being cleaned up already.");
    try {
      const { rows: found } = await readAsPlatform(primary, () =>
        primary.query<{
          tenant_id: string;
          source: string;
          status: string;
          flipped: boolean;
          cleaned_at: Date | null;
          steps: MoveRecord["steps"];
          progress: TableProgress[];
          env_var: string;
        }>(
          `select m.tenant_id, m.source, m.status, m.flipped, m.cleaned_at, m.steps, m.progress, d.env_var
           from control.moves m join control.databases d on d.name = m.source where m.id = $1`,
          [moveId],
        ),
      );
      const m = found[0];
      if (!m) throw new MoveError("There is no such move.");
      if (m.status !== "succeeded" || !m.flipped)
        throw new MoveError("Only a finished move leaves rows on its source to clean up.");
      if (m.cleaned_at)
        throw new MoveError(`Its rows left the source at ${m.cleaned_at.toISOString()} already.`);
      await primary.query("select set_config('app.tenant_id', $1, false)", [m.tenant_id]);
      const record = MoveRecord.resumed(primary, moveId, m.steps, m.progress);
      record.flipped = true;
      await record.phase("cleanup");
      try {
        const entry = { name: m.source, envVar: m.env_var };
        const rows = await withOwnerClient(ownerUrlIn(primaryUrl, entry), async (source) => {
          await source.query("select set_config('app.tenant_id', $1, false)", [m.tenant_id]);
          // Only rows the source holds as departed: a customer that lives there is never touched.
          if (!(await isDeparted(source, m.tenant_id)))
            throw new MoveError(
              `${m.tenant_id} is not departed from ${m.source}: nothing deleted.`,
            );
          const tables = writtenColumns(await customerTables(source));
          return deleteSourceRows(source, tables, m.tenant_id, options.batch);
        });
        record.note(`${rows} rows deleted from ${m.source}`);
        await record.cleaned();
        await record.closeStep("ok");
        await insertAuditEvent(drizzle(primary), {
          action: "moves.cleanup",
          outcome: "ok",
          actorRole: options.by.includes("@") ? null : options.by,
          actorEmail: options.by.includes("@") ? options.by : null,
          tenantId: m.tenant_id,
          targetType: "move",
          targetId: moveId,
          details: { database: m.source, rows },
        });
        return { rows };
      } catch (error) {
        record.note((error as Error).message);
        await record.closeStep("failed").catch(() => undefined);
        throw error;
      }
    } finally {
      await primary
        .query(`select pg_advisory_unlock(${MOVER_LOCK})`, [moveId])
        .catch(() => undefined);
    }
  });
}

/** Cleans up every move whose grace period is over; the moves cleaned up, and those that failed. */
export async function cleanUpDueMoves(
  primaryUrl: string,
): Promise<{ moveId: string; rows?: number; error?: string }[]> {
  const due = await withOwnerClient(primaryUrl, (primary) =>
    readAsPlatform(primary, async () => {
      const { rows } = await primary.query<{ id: string }>(
        `select id from control.moves where cleaned_at is null and cleanup_after is not null
            and cleanup_after <= now() and status = 'succeeded' order by cleanup_after`,
      );
      return rows.map((r) => r.id);
    }),
  );
  const done = [];
  for (const moveId of due)
    done.push(
      await cleanUpMove(primaryUrl, moveId, { by: "grace period" }).then(
        (r) => ({ moveId, rows: r.rows }),
        (e: Error) => ({ moveId, error: e.message }),
      ),
    );
  return done;
}

/** Cleans up, now, every move of the customer whose rows still wait on a source (before an erase). */
export async function cleanUpCustomer(primaryUrl: string, tenantId: string, by: string) {
  const waiting = await withOwnerClient(primaryUrl, async (primary) => {
    await primary.query("select set_config('app.tenant_id', $1, false)", [tenantId]);
    const { rows } = await primary.query<{ id: string }>(
      "select id from control.moves where tenant_id = $1 and status = 'succeeded' and flipped and cleaned_at is null",
      [tenantId],
    );
    return rows.map((r) => r.id);
  });
  for (const id of waiting) await cleanUpMove(primaryUrl, id, { by });
  return waiting.length;
}

/**
 * Asks a running move to roll back: it stops at its next step and puts everything back, the
 * customer staying on its source. A move whose process is gone is rolled back here and now. A
 * move that has flipped cannot be rolled back: moving the customer back is a move of its own.
 */
export async function cancelMove(
  primaryUrl: string,
  moveId: string,
  by: string,
): Promise<"asked" | "rolled back"> {
  const asked = await withOwnerClient(primaryUrl, async (primary) => {
    const { rows } = await readAsPlatform(primary, () =>
      primary.query<{ tenant_id: string; status: string; flipped: boolean; target: string }>(
        "select tenant_id, status, flipped, target from control.moves where id = $1",
        [moveId],
      ),
    );
    const m = rows[0];
    if (!m) throw new MoveError("There is no such move.");
    if (m.status !== "running") throw new MoveError(`That move has ${m.status} already.`);
    if (m.flipped)
      throw new MoveError(
        `That move has flipped: the customer lives on ${m.target} now. Moving it back is a move of its own.`,
      );
    await primary.query("select set_config('app.tenant_id', $1, false)", [m.tenant_id]);
    await primary.query(
      "update control.moves set cancel_requested_by = $2 where id = $1 and status = 'running' and not flipped",
      [moveId, by],
    );
    const { rows: lock } = await primary.query<{ ok: boolean }>(
      `select pg_try_advisory_lock(${MOVER_LOCK}) as ok`,
      [moveId],
    );
    if (!lock[0].ok) return true;
    await primary.query(`select pg_advisory_unlock(${MOVER_LOCK})`, [moveId]);
    return false;
  });
  if (asked) return "asked";
  await resumeMoves(primaryUrl);
  return "rolled back";
}
