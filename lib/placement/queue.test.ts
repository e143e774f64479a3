// Gradual migration (issue #16): a queue moves the shared database's customers from its threshold
// to a dedicated database, smallest first, one at a time; paused, it starts nothing; when no
// customer is left, it is done. Here the dedicated database is a second database on the run's
// server, brought in sync by the first move's prepare.
import { randomBytes } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { endDatabasePools } from "@/db/databases";
import { generateSample } from "@/db/sample/generate";
import { createDatabase } from "@/db/test/databases";
import { freshTestDatabase, insertCustomers } from "@/db/test/fixture";
import { runAdoption } from "../adoption/run";
import { generateCustomerId, LEGACY_CUSTOMER_ID } from "../customers/ids";
import { addDatabase } from "../databases/registry";
import { exportCustomer } from "../portability/export";
import { restoreCustomer } from "../portability/restore";
import { takeSnapshot } from "../usage/snapshot";
import { moveCustomer } from "./move";
import { runQueueStep } from "./queue";

const db = freshTestDatabase();
const url = () => db.database.ownerUrl;
const A = LEGACY_CUSTOMER_ID;
let B: string;
const VAR = `TENANTRY_TEST_QUEUE_${randomBytes(3).toString("hex").toUpperCase()}`;

beforeAll(async () => {
  await generateSample(url(), { rows: 600 });
  const adopted = await runAdoption(url(), { schema: "app" });
  if (!adopted.ok) throw new Error(adopted.instructions);
  const file = path.join(await mkdtemp(path.join(tmpdir(), "tenantry-queue-test-")), "a.tar");
  await exportCustomer(url(), A, file, { by: "test" });
  [B] = await insertCustomers(db.owner, [generateCustomerId()]);
  await restoreCustomer(url(), file, { by: "test", as: B, replace: true });
  // B is the smaller one.
  await db.owner.query("delete from app.sync_conflicts where tenant_id = $1", [B]);
  await db.owner.query("delete from app.sync_log where tenant_id = $1", [B]);
  const target = await createDatabase(
    `${inject("runPrefix")}_queue_${randomBytes(3).toString("hex")}`,
  );
  process.env[VAR] = target.ownerUrl;
  process.env[`${VAR}_APP`] = target.appUrl;
  await addDatabase(url(), { name: "dedicated-1", envVar: VAR, kind: "dedicated" });
  await takeSnapshot("command");
}, 120_000);

afterAll(() => endDatabasePools());

const placements = async () =>
  Object.fromEntries(
    (
      await db.owner.query<{ id: string; database: string }>(
        "select id, database from control.customers where id = any($1)",
        [[A, B]],
      )
    ).rows.map((r) => [r.id, r.database]),
  );

describe("a gradual migration", () => {
  it("moves the customers above its threshold smallest first, one a step, starts nothing paused, and ends", async () => {
    const { rows } = await db.owner.query<{ id: string }>(
      "insert into control.move_queues (target, threshold_rows, status, created_by) values ('dedicated-1', 1, 'paused', 'test') returning id",
    );
    expect(await runQueueStep(url())).toEqual({ outcome: "idle" });
    expect(await placements()).toEqual({ [A]: "primary", [B]: "primary" });

    await db.owner.query("update control.move_queues set status = 'running' where id = $1", [
      rows[0].id,
    ]);
    expect(await runQueueStep(url())).toMatchObject({ outcome: "moved", moved: [B], failed: [] });
    expect(await placements()).toEqual({ [A]: "primary", [B]: "dedicated-1" });
    expect(await runQueueStep(url())).toMatchObject({ outcome: "moved", moved: [A], failed: [] });
    expect(await placements()).toEqual({ [A]: "dedicated-1", [B]: "dedicated-1" });
    expect(await runQueueStep(url())).toMatchObject({ outcome: "done" });
    const { rows: queue } = await db.owner.query(
      "select status from control.move_queues where id = $1",
      [rows[0].id],
    );
    expect(queue[0].status).toBe("done");
    const { rows: moves } = await db.owner.query(
      "select tenant_id, status, started_by from control.moves order by started_at",
    );
    expect(moves).toEqual([
      { tenant_id: B, status: "succeeded", started_by: "move queue" },
      { tenant_id: A, status: "succeeded", started_by: "move queue" },
    ]);
  });

  it("moves MOVES_PARALLEL customers side by side in a step", async () => {
    for (const c of [A, B]) await moveCustomer(url(), c, "primary", { by: "test", graceMs: 0 });
    await takeSnapshot("command");
    await db.owner.query(
      "insert into control.move_queues (target, threshold_rows, status, created_by) values ('dedicated-1', 1, 'running', 'test')",
    );
    process.env.MOVES_PARALLEL = "2";
    try {
      const step = await runQueueStep(url());
      expect(step).toMatchObject({ outcome: "moved", failed: [] });
      expect(step.moved?.toSorted()).toEqual([A, B].toSorted());
    } finally {
      delete process.env.MOVES_PARALLEL;
    }
    expect(await placements()).toEqual({ [A]: "dedicated-1", [B]: "dedicated-1" });
    // Side by side: each started before the other ended.
    const { rows } = await db.owner.query<{ overlap: boolean }>(
      `with last as (select * from control.moves where started_by = 'move queue' order by started_at desc limit 2)
       select bool_and(a.started_at < b.finished_at) as overlap from last a join last b on a.id <> b.id`,
    );
    expect(rows[0].overlap).toBe(true);
  });
});
