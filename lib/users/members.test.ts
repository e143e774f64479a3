// A customer's users, a page at a time (keyset by email): forth and back, the count kept on the
// customer, and never another customer's users, whatever cursor comes in.
import { beforeAll, describe, expect, it } from "vitest";
import { withTenant } from "@/db/tenant";
import { freshTestDatabase, insertCustomers, insertUser } from "@/db/test/fixture";
import { generateCustomerId } from "../customers/ids";
import { listMembers } from "./queries";
import { memberPageSchema } from "./schemas";

const db = freshTestDatabase();
const [A, B] = [generateCustomerId(), generateCustomerId()];
const emailsOf = { [A]: [] as string[], [B]: [] as string[] };

beforeAll(async () => {
  await insertCustomers(db.owner, [A, B]);
  // Interleaved addresses, so a cursor from one customer's list falls between the other's users.
  for (let i = 0; i < 7; i++) {
    const email = `a${i}@a.example`;
    await insertUser(db.owner, { email, tenantId: A });
    emailsOf[A].push(email);
  }
  for (const email of ["a2x@b.example", "a5x@b.example", "b0@b.example"]) {
    await insertUser(db.owner, { email, tenantId: B });
    emailsOf[B].push(email);
  }
});

const page = (tenantId: string, cursor?: string | null, of = tenantId) =>
  withTenant(
    { tenantId },
    (tx) => listMembers(tx, of, cursor ? memberPageSchema.parse({ cursor }).cursor : undefined, 3),
    { readOnly: true },
  );

describe("a customer's users", () => {
  it("pages forth and back by email, counted by the customer's kept count", async () => {
    const first = await page(A);
    expect(first.rows.map((m) => m.email)).toEqual(emailsOf[A].slice(0, 3));
    expect(first.total).toEqual({ count: 7, exact: true });
    expect(first.previous).toBeNull();
    const second = await page(A, first.next!.cursor);
    expect(second.rows.map((m) => m.email)).toEqual(emailsOf[A].slice(3, 6));
    expect(second.first).toBe(4);
    const third = await page(A, second.next!.cursor);
    expect(third.rows.map((m) => m.email)).toEqual(emailsOf[A].slice(6));
    expect(third.next).toBeNull();
    const back = await page(A, third.previous!.cursor);
    expect(back.rows.map((m) => m.email)).toEqual(emailsOf[A].slice(3, 6));
    // Back to page 1 is the list without a cursor.
    expect(back.previous).toEqual({ cursor: null });
  });

  it("shows only the customer's own users, whatever the cursor, and none of another's", async () => {
    const fromB = await page(B);
    // A cursor at B's second user, as a client could make one.
    const [, second] = fromB.rows;
    const made = Buffer.from(
      JSON.stringify({ page: 2, towards: "next", email: second.email }),
    ).toString("base64url");
    const onA = (await page(A, made)).rows.map((m) => m.email);
    // A run of A's own list, in the database's order, wherever B's user falls in it.
    const all = (
      await withTenant({ tenantId: A }, (tx) => listMembers(tx, A, undefined, 10), {
        readOnly: true,
      })
    ).rows.map((m) => m.email);
    const at = all.indexOf(onA[0]);
    expect(onA.length).toBeGreaterThan(0);
    expect(onA).toEqual(all.slice(at, at + onA.length));
    // In A's context, B's users and B's count are not there (RLS).
    const peek = await page(A, null, B);
    expect(peek.rows).toEqual([]);
    expect(peek.total).toEqual({ count: 0, exact: true });
  });
});
