// A customer's users, a page at a time (keyset by email): forth and back, the count kept on the
// customer, and never another customer's users, whatever cursor comes in. Its open invitations
// likewise (keyset by expiry): only the open ones, and only its own. A large customer's page and
// a lookup by address read the address index in the customer's own door, not all its users.
import { sql, type SQLWrapper } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { withTenant } from "@/db/tenant";
import { freshTestDatabase, insertCustomers, insertUser } from "@/db/test/fixture";
import { generateCustomerId } from "../customers/ids";
import { listMembers, listPendingInvites, memberByAddress, memberPageQuery } from "./queries";
import { memberPageSchema } from "./schemas";

const db = freshTestDatabase();
const [A, B, LARGE] = [generateCustomerId(), generateCustomerId(), generateCustomerId()];
const emailsOf = { [A]: [] as string[], [B]: [] as string[] };
const NOW = new Date("2026-11-10T12:00:00Z");
/** Each customer's open invitations, the latest to expire first. */
const invitedOf = { [A]: [] as string[], [B]: [] as string[] };

beforeAll(async () => {
  await insertCustomers(db.owner, [A, B, LARGE]);
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
  // Invitations expiring an hour apart, B's between A's; A's closed ones with expiries among them.
  const invite = (tenantId: string, email: string, hours: number, closed = "") =>
    db.owner.query(
      `insert into control.invites (tenant_id, email, role, token_hash, expires_at, accepted_at, revoked_at)
       values ($1, $2, 'member', md5($2), $3::timestamptz + $4 * interval '1 hour',
               case when $5 = 'accepted' then $3::timestamptz end, case when $5 = 'revoked' then $3::timestamptz end)`,
      [tenantId, email, NOW, hours, closed],
    );
  for (let i = 7; i >= 1; i--) {
    await invite(A, `invited${i}@a.example`, 2 * i);
    await invite(A, `accepted${i}@a.example`, 2 * i, "accepted");
    invitedOf[A].push(`invited${i}@a.example`);
  }
  await invite(A, "revoked@a.example", 5, "revoked");
  await invite(A, "expired@a.example", -1);
  await invite(A, "expiring-now@a.example", 0);
  for (const i of [6, 4, 2]) {
    await invite(B, `invited${i}@b.example`, 2 * i + 1);
    invitedOf[B].push(`invited${i}@b.example`);
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

const invitesPage = (tenantId: string, cursor?: string | null, of = tenantId) =>
  withTenant(
    { tenantId },
    (tx) =>
      listPendingInvites(
        tx,
        of,
        NOW,
        cursor ? memberPageSchema.parse({ invites: cursor }).invites : undefined,
        3,
      ),
    { readOnly: true },
  );

describe("a customer's open invitations", () => {
  it("pages forth and back, the latest to expire first, without the accepted, withdrawn or expired", async () => {
    const first = await invitesPage(A);
    expect(first.rows.map((i) => i.email)).toEqual(invitedOf[A].slice(0, 3));
    expect(first.total).toEqual({ count: 7, exact: true });
    expect(first.previous).toBeNull();
    const second = await invitesPage(A, first.next!.cursor);
    expect(second.rows.map((i) => i.email)).toEqual(invitedOf[A].slice(3, 6));
    expect(second.first).toBe(4);
    const third = await invitesPage(A, second.next!.cursor);
    expect(third.rows.map((i) => i.email)).toEqual(invitedOf[A].slice(6));
    expect(third.next).toBeNull();
    const back = await invitesPage(A, third.previous!.cursor);
    expect(back.rows.map((i) => i.email)).toEqual(invitedOf[A].slice(3, 6));
    expect(back.previous).toEqual({ cursor: null });
  });

  it("shows only the customer's own, whatever the cursor, and none of another's", async () => {
    // B's second invitation's cursor, as the page made it, taken to A's list: A's own from there.
    const fromB = await invitesPage(B, null);
    expect(fromB.rows.map((i) => i.email)).toEqual(invitedOf[B]);
    const [, second] = fromB.rows;
    const made = Buffer.from(
      JSON.stringify({
        page: 2,
        towards: "next",
        at: String(second.expiresAt.getTime() * 1000),
        id: second.id,
      }),
    ).toString("base64url");
    // B's second expires at NOW + 9 h: A's that expire before it.
    expect((await invitesPage(A, made)).rows.map((i) => i.email)).toEqual(invitedOf[A].slice(3, 6));
    // In A's context, B's invitations and their count are not there (RLS).
    const peek = await invitesPage(A, null, B);
    expect(peek.rows).toEqual([]);
    expect(peek.total).toEqual({ count: 0, exact: true });
  });
});

describe("a large customer's users", () => {
  it("are read from the address index in the customer's own door: a page from its cursor, a user by address", async () => {
    await db.owner.query(
      `with made as (
         insert into control.users (email, display_name)
         select 'Large' || lpad(g::text, 4, '0') || '@Large.example', 'L' || g from generate_series(1, 2000) g
         returning id)
       insert into control.memberships (tenant_id, user_id, role) select $1, id, 'member' from made`,
      [LARGE],
    );
    await db.owner.query("analyze control.users; analyze control.memberships");
    const plans = await withTenant(
      { tenantId: LARGE },
      async (tx) => {
        const plan = async (query: SQLWrapper) =>
          JSON.stringify((await tx.execute(sql`explain (format json) ${query}`)).rows);
        const cursor = { page: 2, towards: "next", email: "large1000@large.example" } as const;
        return {
          page: await plan(memberPageQuery(tx, LARGE, cursor, 50)),
          lookup: await plan(memberByAddress(tx, LARGE, "large1500@large.example")),
          rows: await memberPageQuery(tx, LARGE, cursor, 2),
          found: await memberByAddress(tx, LARGE, "large1500@large.example"),
        };
      },
      { readOnly: true },
    );
    // Past the policies: lower(email) in a query could not be an index condition there.
    expect(plans.page).toMatch(/"Index Cond":"\(email_key > /);
    expect(plans.lookup).toMatch(/"Index Cond":"\(email_key = /);
    // The users' policy probes the membership of each user the page walks: a hashed subplan
    // would read every membership of the customer for one page.
    expect(plans.page).not.toMatch(/hashed/i);
    expect(plans.rows.map((r) => r.email)).toEqual([
      "Large1001@Large.example",
      "Large1002@Large.example",
      "Large1003@Large.example",
    ]);
    expect(plans.found).toHaveLength(1);
  });
});
