// Trials that end (issue #17) on a real PostgreSQL: past its end a trial expires (audited, an
// alert), its users' writes are refused with a sentence through the action chain and the API
// while their reads work, another customer is untouched, and a super-admin's extension (or a
// plan chosen) lets it write again.
import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { withTenant } from "@/db/tenant";
import { freshTestDatabase, insertCustomers } from "@/db/test/fixture";
import type { RequestContext } from "@/lib/auth/context";
import { generateCustomerId } from "./ids";

const session = vi.hoisted(() => ({ ctx: null as RequestContext | null }));
vi.mock("@/lib/auth/context", () => ({ getRequestContext: async () => session.ctx }));
vi.mock("next/headers", () => ({
  headers: async () =>
    new Headers({ "x-forwarded-for": "203.0.113.8", "user-agent": "trials-test" }),
}));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined }));

const { tenantAction } = await import("@/lib/auth/action");
const { extendTrialAction } = await import("./actions");
const { resolveContext } = await import("@/lib/auth/resolve-context");
const { expireTrials } = await import("./trials");
const { createKey } = await import("@/lib/api/keys");
const eventsRoute = await import("@/app/api/v1/usage/events/route");
const usageRoute = await import("@/app/api/v1/usage/route");

const db = freshTestDatabase();
const [T, O] = [generateCustomerId(), generateCustomerId()];
let adminId: string;

const write = tenantAction(
  { name: "test.write", permission: "users.manage", schema: z.object({}) },
  async (tx) => {
    await tx.execute(sql`select 1`);
    return { ok: true, message: "written" };
  },
);
beforeAll(async () => {
  await insertCustomers(db.owner, [T, O]);
  await db.owner.query(
    "update control.customers set status = 'trial', trial_ends_at = now() - interval '1 hour' where id = $1",
    [T],
  );
  await db.owner.query(
    "update control.customers set status = 'trial', trial_ends_at = now() + interval '3 days' where id = $1",
    [O],
  );
  adminId = randomUUID();
  await db.owner.query(
    "insert into control.users (id, email, display_name, password_hash, status) values ($1, 'admin@t.example', 'Admin', 'x', 'active')",
    [adminId],
  );
  await db.owner.query(
    "insert into control.memberships (user_id, tenant_id, role) values ($1, $2, 'admin')",
    [adminId, T],
  );
});

describe("a trial past its end", () => {
  it("refuses its users' writes with a sentence before the worker has run, and after", async () => {
    session.ctx = await resolveContext(adminId);
    expect(session.ctx?.customer).toMatchObject({ id: T, status: "trial" });
    const refused = await write(null, new FormData());
    expect(refused).toEqual({
      ok: false,
      error: expect.stringMatching(/trial ended on .*: everything can be read, nothing changed/),
    });

    expect(await expireTrials()).toEqual([T]);
    const { rows } = await db.owner.query(
      "select id, status from control.customers where id = any($1) order by id",
      [[T, O]],
    );
    expect(Object.fromEntries(rows.map((r) => [r.id, r.status]))).toEqual({
      [T]: "expired",
      [O]: "trial",
    });
    const { rows: audit } = await db.owner.query(
      "select tenant_id from control.audit_events where action = 'customers.trial-expired'",
    );
    expect(audit).toEqual([{ tenant_id: T }]);
    const { rows: alerts } = await db.owner.query(
      "select kind, tenant_id from control.alerts where kind = 'trial'",
    );
    expect(alerts).toEqual([{ kind: "trial", tenant_id: T }]);

    session.ctx = await resolveContext(adminId);
    expect(await write(null, new FormData())).toMatchObject({ ok: false });
    // Reads work: the tenant door reads, and the API's GET answers.
    const read = await withTenant({ tenantId: T }, (tx) =>
      tx.execute<{ n: number }>(sql`select count(*)::int as n from control.memberships`),
    );
    expect(read.rows[0].n).toBe(1);
    const { key } = await withTenant({ tenantId: T }, (tx) =>
      createKey(tx, T, { name: "k", scopes: ["usage:read", "usage:write"] }, "test"),
    );
    const auth = { authorization: `Bearer ${key}`, "content-type": "application/json" };
    expect(
      (await usageRoute.GET(new Request("http://localhost/api/v1/usage", { headers: auth })))
        .status,
    ).toBe(200);
    const post = await eventsRoute.POST(
      new Request("http://localhost/api/v1/usage/events", {
        method: "POST",
        headers: auth,
        body: JSON.stringify({ events: [{ id: "e", kind: "sms" }] }),
      }),
    );
    expect(post.status).toBe(403);
    expect((await post.json()).detail).toMatch(/trial ended/);
  });

  it("writes again once a super-admin extends the trial (audited with the reason)", async () => {
    session.ctx = {
      user: { id: randomUUID(), email: "root@tenantry.example", displayName: "Root" },
      platformRole: "super_admin",
      customer: null,
      membershipRole: null,
      activeSwitch: null,
      twoFactor: true,
      sessionId: null,
      role: "super_admin",
    };
    const { rows } = await db.owner.query<{ version: number }>(
      "select version from control.customers where id = $1",
      [T],
    );
    const form = new FormData();
    for (const [k, v] of Object.entries({
      id: T,
      version: String(rows[0].version),
      days: "14",
      reason: "evaluation continues",
    }))
      form.set(k, v);
    expect(await extendTrialAction(null, form)).toMatchObject({ ok: true });
    const { rows: audit } = await db.owner.query(
      "select details->>'reason' as reason, details->'after'->>'status' as status from control.audit_events where action = 'customers.extend-trial'",
    );
    expect(audit).toEqual([{ reason: "evaluation continues", status: "trial" }]);
    session.ctx = await resolveContext(adminId);
    expect(session.ctx?.customer?.status).toBe("trial");
    expect(await write(null, new FormData())).toEqual({ ok: true, message: "written" });
  });
});
