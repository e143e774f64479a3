// The audit viewer's pages: keyset paging newest first, a bounded total, and each customer's
// trail holding only its own events, whatever the cursor says.
import { beforeAll, describe, expect, it } from "vitest";
import { withPlatform, withTenant, type PlatformContext } from "@/db/tenant";
import { insertCustomers, freshTestDatabase } from "@/db/test/fixture";
import { encodeCursor } from "@/lib/lists/cursor";
import { EXACT_TOTAL_UP_TO } from "@/lib/lists/keyset";
import { generateCustomerId } from "../customers/ids";
import { listAuditEvents } from "./queries";
import { auditFilterSchema, type AuditCursor } from "./schemas";

const db = freshTestDatabase();
const root: PlatformContext = {
  userId: crypto.randomUUID(),
  email: "root@tenantry.example",
  platformRole: "super_admin",
};
const [A, B, BULK] = [generateCustomerId(), generateCustomerId(), generateCustomerId()];
const filter = (query: Record<string, string | null>) =>
  auditFilterSchema.parse(Object.fromEntries(Object.entries(query).filter(([, v]) => v)));
const trail = (tenantId: string, query: Record<string, string | null>, asTenant = tenantId) =>
  withTenant({ tenantId: asTenant }, (tx) => listAuditEvents(tx, filter(query), tenantId), {
    readOnly: true,
  });

/** A customer's events as the database orders them: newest first, by time, then ID. */
async function idsOf(tenantId: string): Promise<number[]> {
  const { rows } = await db.owner.query<{ id: string }>(
    "select id from control.audit_events where tenant_id = $1 order by at desc, id desc",
    [tenantId],
  );
  return rows.map((r) => Number(r.id));
}

beforeAll(async () => {
  await insertCustomers(db.owner, [A, B, BULK]);
  // A: 30 events in one statement (one time, so the ID orders them), then 31 one by one.
  await db.owner.query(
    "insert into control.audit_events (tenant_id, action, outcome) select $1, 'batch.' || g, 'ok' from generate_series(1, 30) g",
    [A],
  );
  for (let i = 0; i < 31; i++)
    await db.owner.query(
      "insert into control.audit_events (tenant_id, action, outcome) values ($1, $2, 'ok')",
      [A, `single.${i}`],
    );
  await db.owner.query(
    "insert into control.audit_events (tenant_id, action, outcome) select $1, 'other.' || g, 'ok' from generate_series(1, 40) g",
    [B],
  );
});

describe("the audit viewer", () => {
  it("pages a customer's trail newest first by keyset: every event once, forth and back, none of another customer's", async () => {
    const expected = await idsOf(A);
    expect(expected).toHaveLength(61);
    const first = await trail(A, { size: "25" });
    expect(first).toMatchObject({ page: 1, first: 1, total: { count: 61, exact: true } });
    expect(first.previous).toBeNull();
    const second = await trail(A, { size: "25", cursor: first.next!.cursor });
    const third = await trail(A, { size: "25", cursor: second.next!.cursor });
    expect([first, second, third].map((p) => [p.page, p.first, p.rows.length])).toEqual([
      [1, 1, 25],
      [2, 26, 25],
      [3, 51, 11],
    ]);
    expect(third.next).toBeNull();
    expect([...first.rows, ...second.rows, ...third.rows].map((r) => r.id)).toEqual(expected);
    // Back: the same pages; from the second, the first page has no cursor at all.
    const back = await trail(A, { size: "25", cursor: third.previous!.cursor });
    expect(back.rows.map((r) => r.id)).toEqual(second.rows.map((r) => r.id));
    expect(back.next).not.toBeNull();
    expect(back.previous).toEqual({ cursor: null });
    expect([first, second, third].flatMap((p) => p.rows).every((r) => r.tenantId === A)).toBe(true);
  });

  it("keeps a customer's trail to its own events whatever the cursor or the pinned customer says", async () => {
    // A cursor made from B's newest event, on A's trail: A's events before it, nothing of B's.
    const { rows } = await db.owner.query<{ id: string; at: string }>(
      "select id, (extract(epoch from at) * 1000000)::bigint::text as at from control.audit_events where tenant_id = $1 order by at desc, id desc limit 1",
      [B],
    );
    const cursor = encodeCursor({
      page: 2,
      towards: "next",
      at: rows[0].at,
      id: Number(rows[0].id),
    } satisfies AuditCursor);
    const crafted = await trail(A, { size: "100", cursor });
    expect(crafted.rows.length).toBeGreaterThan(0);
    expect(crafted.rows.every((r) => r.tenantId === A)).toBe(true);
    // At the database: in A's transaction, B's trail is empty and its total nought (RLS).
    const asA = await trail(B, { size: "100" }, A);
    expect(asA.rows).toEqual([]);
    expect(asA.total).toEqual({ count: 0, exact: true });
    expect((await trail(B, { size: "100" })).rows).toHaveLength(40);
  });

  it("keeps its pages while new events arrive: the platform's log, each page read writing one", async () => {
    const list = (cursor: string | null) =>
      withPlatform(root, { action: "audit.list" }, (tx) =>
        listAuditEvents(tx, filter({ size: "25", cursor })),
      );
    const seen: number[] = [];
    let page = await list(null);
    const total = page.total.count;
    for (;;) {
      seen.push(...page.rows.map((r) => r.id));
      if (!page.next) break;
      page = await list(page.next.cursor);
    }
    // Each read wrote an audit.list event, newer than every page: none shifted a page.
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(total);
    const { rows } = await db.owner.query<{ n: number }>(
      "select count(*)::int as n from control.audit_events where action = 'audit.list'",
    );
    expect(rows[0].n).toBe(Math.ceil(total / 25));
  });

  it(`counts exactly up to ${EXACT_TOTAL_UP_TO.toLocaleString("en")} events and estimates above, labelled as such`, async () => {
    await db.owner.query(
      "insert into control.audit_events (tenant_id, action, outcome) select $1, 'bulk.' || g, 'ok' from generate_series(1, $2::int) g",
      [BULK, EXACT_TOTAL_UP_TO + 500],
    );
    await db.owner.query("analyze control.audit_events");
    const bulk = await trail(BULK, { size: "25" });
    expect(bulk.total.exact).toBe(false);
    expect(Math.abs(bulk.total.count - (EXACT_TOTAL_UP_TO + 500)) / EXACT_TOTAL_UP_TO).toBeLessThan(
      0.1,
    );
    // Narrow enough, exact again: bulk.1000 and bulk.10000 to bulk.10009.
    expect((await trail(BULK, { size: "25", action: "bulk.1000" })).total).toEqual({
      count: 11,
      exact: true,
    });
  });
});
