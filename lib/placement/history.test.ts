// The history of moves on the Databases page, a page at a time (keyset by start, then ID):
// forth and back through moves that started at the same moment; a customer's door reads none.
import { beforeAll, describe, expect, it } from "vitest";
import { withPlatform, withTenant, type Tx } from "@/db/tenant";
import { freshTestDatabase, insertCustomers } from "@/db/test/fixture";
import { generateCustomerId } from "../customers/ids";
import { listMovesPage } from "./queries";
import { databasesPageSchema, type MoveCursor } from "./schemas";

const db = freshTestDatabase();
const [A, B] = [generateCustomerId(), generateCustomerId()];
/** Every move's ID, newest first, as the history lists them. */
let newestFirst: string[];

beforeAll(async () => {
  await insertCustomers(db.owner, [A, B]);
  // 25 moves, A's and B's in turn; every third pair started at the same moment.
  const { rows } = await db.owner.query<{ id: string }>(
    `insert into control.moves (tenant_id, source, target, mode, started_by, status, started_at)
     select case when g % 2 = 0 then $1 else $2 end, 'primary', 'dedicated-1', 'offline', 'test', 'succeeded',
            timestamptz '2026-11-01 00:00:00.123456+00' + (g / 3) * interval '1 minute'
       from generate_series(1, 25) g
     returning id`,
    [A, B],
  );
  const { rows: ordered } = await db.owner.query<{ id: string }>(
    "select id from control.moves where id = any($1) order by started_at desc, id desc",
    [rows.map((r) => r.id)],
  );
  newestFirst = ordered.map((r) => r.id);
});

const asPlatform = <T>(fn: (tx: Tx) => Promise<T>) =>
  withPlatform(
    { userId: crypto.randomUUID(), email: "root@tenantry.example", platformRole: "super_admin" },
    { action: "databases.view" },
    fn,
  );
const cursorOf = (cursor: string | null | undefined) =>
  databasesPageSchema.parse({ moves: cursor ?? undefined }).moves as MoveCursor | undefined;
const page = (cursor?: string | null) =>
  asPlatform((tx) => listMovesPage(tx, { cursor: cursorOf(cursor), size: 10 }));

describe("the history of moves", () => {
  it("pages forth and back, newest first, through moves that started at the same moment", async () => {
    const first = await page();
    expect(first.rows.map((m) => m.id)).toEqual(newestFirst.slice(0, 10));
    expect(first.total).toEqual({ count: 25, exact: true });
    expect(first.previous).toBeNull();
    const second = await page(first.next!.cursor);
    expect(second.rows.map((m) => m.id)).toEqual(newestFirst.slice(10, 20));
    expect(second.first).toBe(11);
    const third = await page(second.next!.cursor);
    expect(third.rows.map((m) => m.id)).toEqual(newestFirst.slice(20));
    expect(third.next).toBeNull();
    const back = await page(third.previous!.cursor);
    expect(back.rows.map((m) => m.id)).toEqual(newestFirst.slice(10, 20));
    expect(back.previous).toEqual({ cursor: null });
    // The rows are moves as the list shows them, with their customer's name.
    expect(first.rows[0]).toMatchObject({ status: "succeeded", target: "dedicated-1" });
    expect(first.rows[0].customerName).toEqual(expect.any(String));
  });

  it("starts at the top from a cursor that does not decode", async () => {
    expect((await page("not-a-cursor")).rows.map((m) => m.id)).toEqual(newestFirst.slice(0, 10));
  });

  it("is not a customer's to read: its door may not read the moves at all", async () => {
    const refused = await withTenant({ tenantId: A }, (tx) => listMovesPage(tx, { size: 50 }), {
      readOnly: true,
    }).then(
      () => "read",
      (e: Error) => ((e.cause as Error | undefined) ?? e).message,
    );
    expect(refused).toMatch(/permission denied for table moves/);
  });
});
