import { beforeAll, describe, expect, it } from "vitest";
import { withSystem, withTenant } from "@/db/tenant";
import { freshTestDatabase, insertCustomers } from "@/db/test/fixture";
import { generateCustomerId } from "../customers/ids";
import { dailyTrend } from "./queries";
import { metricPlaces } from "./snapshot";

const db = freshTestDatabase();
const [A, B] = [generateCustomerId(), generateCustomerId()];
const DAY = 86_400_000;
/** Noon (UTC) `days` ago, plus `hours`. */
const at = (days: number, hours = 0) => {
  const noon = new Date(Date.now() - days * DAY);
  noon.setUTCHours(12 + hours, 0, 0, 0);
  return noon;
};
const day = (d: Date) => d.toISOString().slice(0, 10);

async function snapshot(tenantId: string, takenAt: Date, figures: Record<string, number>) {
  const { rows } = await db.owner.query<{ id: string }>(
    "insert into control.usage_runs (trigger, started_at, finished_at, customers, figures, scoped_tables) values ('command', $1, $1, 1, 1, 0) returning id",
    [takenAt],
  );
  // Each metric in its place, as the snapshot writes them.
  const places = await withSystem("usage-snapshot", (tx) => metricPlaces(tx, Object.keys(figures)));
  await db.owner.query(
    "insert into control.usage_snapshots (run_id, tenant_id, taken_at, figures) values ($1, $2, $3, $4)",
    [
      rows[0].id,
      tenantId,
      takenAt,
      places.map((m) => (m !== null && m in figures ? figures[m] : null)),
    ],
  );
}

beforeAll(async () => {
  await insertCustomers(db.owner, [A, B]);
  await snapshot(A, at(3, -2), { "users.total": 1, "actions.30d": 10 });
  await snapshot(A, at(3), { "users.total": 2, "actions.30d": 20 }); // the day's last
  await snapshot(A, at(1), { "users.total": 3 }); // no actions figure that day
  await snapshot(A, at(40), { "users.total": 9, "actions.30d": 90 }); // before the window
  await snapshot(B, at(3, 1), { "users.total": 700, "actions.30d": 7000 });
  await snapshot(B, at(2), { "users.total": 800, "actions.30d": 8000 });
});

describe("the daily trend", () => {
  it("gives each metric its value at the end of each day a run took place: the last snapshot before, a missing figure as 0, a day without a run left out", async () => {
    const trends = await withTenant(
      { tenantId: A },
      (tx) => dailyTrend(tx, A, ["users.total", "actions.30d"], 30),
      { readOnly: true },
    );
    // The runs in the window were 3, 2 and 1 days ago (2 days ago B's alone): the days before,
    // A's row from 40 days ago is not shown as if measured again.
    const days = [3, 2, 1].map((n) => day(at(n)));
    expect(trends).toEqual({
      "users.total": [2, 2, 3].map((value, i) => ({ day: days[i], value })),
      "actions.30d": [20, 20, 0].map((value, i) => ({ day: days[i], value })),
    });
  });

  it("shows a customer none of another's days, even asked by its ID (RLS)", async () => {
    const asA = await withTenant({ tenantId: A }, (tx) => dailyTrend(tx, B, ["users.total"], 30), {
      readOnly: true,
    });
    expect(asA).toEqual({ "users.total": [] });
    const asB = await withTenant({ tenantId: B }, (tx) => dailyTrend(tx, B, ["users.total"], 30), {
      readOnly: true,
    });
    expect(asB["users.total"].map((p) => p.value)).toEqual([700, 800, 800]);
  });
});
