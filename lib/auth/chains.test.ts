// The chains themselves (docs/conventions.md §2), on a real PostgreSQL: what each refuses, what
// it records, and that a handler's writes and its audit event land together or not at all. Only
// Next's request plumbing is stood in for (the session, headers, cache); the database is real.
import { eq } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { invites } from "@/db/schema";
import { withTenant } from "@/db/tenant";
import { insertCustomers, freshTestDatabase } from "@/db/test/fixture";
import { generateCustomerId } from "../customers/ids";
import { newInviteToken } from "../invites/tokens";
import type { RequestContext } from "./context";

const session = vi.hoisted(() => ({ ctx: null as RequestContext | null }));
vi.mock("./context", () => ({ getRequestContext: async () => session.ctx }));
vi.mock("next/headers", () => ({
  headers: async () =>
    new Headers({ "x-forwarded-for": "203.0.113.7", "user-agent": "chain-test" }),
}));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined }));

const { ActionError, NOT_FOUND, NotFoundError, platformAction, tenantAction } =
  await import("./action");
const { platformPage, tenantPage } = await import("./pages");
const { route } = await import("./routes");

const db = freshTestDatabase();
const [A, B] = [generateCustomerId(), generateCustomerId()];
const user = (email: string) => ({ id: crypto.randomUUID(), email, displayName: email });
const customerOf = (id: string) => ({ id, name: `Customer ${id}`, status: "active" });
const admin = (tenant: string): RequestContext => ({
  user: user(`admin@${tenant}.example`),
  platformRole: null,
  customer: customerOf(tenant),
  membershipRole: "admin",
  activeSwitch: null,
  twoFactor: true,
  sessionId: null,
  role: "admin",
});
const member = (tenant: string): RequestContext => ({
  ...admin(tenant),
  user: user(`member@${tenant}.example`),
  membershipRole: "member",
  role: "member",
});
const superAdmin = (): RequestContext => ({
  user: user("root@tenantry.example"),
  platformRole: "super_admin",
  customer: null,
  membershipRole: null,
  activeSwitch: null,
  twoFactor: true,
  sessionId: null,
  role: "super_admin",
});
const switchedRead = (tenant: string): RequestContext => ({
  ...superAdmin(),
  customer: customerOf(tenant),
  role: "switched",
  activeSwitch: {
    id: crypto.randomUUID(),
    mode: "read",
    reason: "ticket OPS-1: a look",
    startedAt: new Date(),
    expiresAt: new Date(Date.now() + 60_000),
  },
});

const events = async (action: string) =>
  (
    await db.owner.query(
      "select tenant_id, outcome, actor_email, ip, details from control.audit_events where action = $1 order by id",
      [action],
    )
  ).rows;
const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) data.set(k, v);
  return data;
};

/** A tenant action that writes an invitation, then does what the form asks. */
const inviteAction = tenantAction(
  {
    name: "chain.invite",
    permission: "users.manage",
    schema: z.object({ email: z.email(), then: z.enum(["ok", "missing", "refuse", "crash"]) }),
  },
  async (tx, { email, then }, ctx, record) => {
    await tx.insert(invites).values({
      tenantId: ctx.customer.id,
      email,
      role: "member",
      tokenHash: newInviteToken().tokenHash,
      expiresAt: new Date(Date.now() + 3_600_000),
    });
    record.targetId = email;
    if (then === "missing") throw new NotFoundError();
    if (then === "refuse") throw new ActionError("Not like that.");
    if (then === "crash") throw new Error("boom");
    return { ok: true, message: "done" };
  },
);
const invitesFor = async (email: string) =>
  (await db.owner.query("select tenant_id from control.invites where email = $1", [email])).rows;

beforeAll(async () => {
  await insertCustomers(db.owner, [A, B]);
});
beforeEach(() => {
  session.ctx = null;
});

describe("the action chain", () => {
  it("commits the handler's writes with its ok event, in the actor's customer, with the request's address", async () => {
    session.ctx = admin(A);
    expect(await inviteAction(null, form({ email: "ok@a.example", then: "ok" }))).toEqual({
      ok: true,
      message: "done",
    });
    expect(await invitesFor("ok@a.example")).toEqual([{ tenant_id: A }]);
    expect(await events("chain.invite")).toEqual([
      {
        tenant_id: A,
        outcome: "ok",
        actor_email: `admin@${A}.example`,
        ip: "203.0.113.7",
        details: {},
      },
    ]);
  });

  it("rolls the writes back when the handler fails, and records the failure on its own", async () => {
    session.ctx = admin(A);
    for (const [then, answer, outcome] of [
      ["missing", NOT_FOUND, "denied"],
      ["refuse", "Not like that.", "failed"],
      ["crash", "Something went wrong; nothing was changed. Try again.", "failed"],
    ] as const) {
      const email = `${then}@a.example`;
      expect(await inviteAction(null, form({ email, then }))).toMatchObject({
        ok: false,
        error: answer,
      });
      expect(await invitesFor(email)).toEqual([]);
      const [event] = (await events("chain.invite")).filter(
        (e) => e.outcome === outcome && (e.details.reason === "not found" || then !== "missing"),
      );
      expect(event).toMatchObject({ tenant_id: A, outcome });
    }
  });

  it("refuses a role without the permission as not found, runs nothing, and records the denial", async () => {
    session.ctx = member(B);
    expect(await inviteAction(null, form({ email: "member@b.example", then: "ok" }))).toEqual({
      ok: false,
      error: NOT_FOUND,
    });
    expect(await invitesFor("member@b.example")).toEqual([]);
    expect((await events("chain.invite")).filter((e) => e.tenant_id === B)).toEqual([
      expect.objectContaining({ outcome: "denied", details: { reason: "permission" } }),
    ]);
  });

  it("refuses every write under a read-only switch, and says why", async () => {
    session.ctx = switchedRead(A);
    expect(await inviteAction(null, form({ email: "read@a.example", then: "ok" }))).toMatchObject({
      ok: false,
      error: expect.stringContaining("read-only mode"),
    });
    expect(await invitesFor("read@a.example")).toEqual([]);
  });

  it("answers bad input field by field, without running or recording anything", async () => {
    session.ctx = admin(A);
    const before = (await events("chain.invite")).length;
    const answer = await inviteAction(null, form({ email: "not an email", then: "ok" }));
    expect(answer).toMatchObject({ ok: false, fieldErrors: { email: [expect.any(String)] } });
    expect((await events("chain.invite")).length).toBe(before);
  });

  it("refuses a NUL character in a field as that field's error, before anything reaches the database", async () => {
    // Found by the fuzz (issue #20): PostgreSQL cannot store NUL in text, and the write failed.
    session.ctx = admin(A);
    const before = (await events("chain.invite")).length;
    const answer = await inviteAction(null, form({ email: "nul@a.example", then: "o\u0000k" }));
    expect(answer).toMatchObject({
      ok: false,
      fieldErrors: { then: [expect.stringContaining("NUL")] },
    });
    expect(await invitesFor("nul@a.example")).toEqual([]);
    expect((await events("chain.invite")).length).toBe(before);
  });

  it("answers a post that is no form at all with a sentence, running nothing", async () => {
    // Found by the e2e fuzz (issue #20): a forged action post can send any value in the form's
    // place, and reading it as a form threw, which Next answered with a 500.
    session.ctx = admin(A);
    const before = (await events("chain.invite")).length;
    for (const notAForm of ["a string", 42, null, { email: "x@a.example" }, ["$K1"]])
      expect(await inviteAction(null, notAForm as unknown as FormData)).toEqual({
        ok: false,
        error: "This form could not be read. Reload the page and try again.",
        fieldErrors: {},
      });
    session.ctx = member(A);
    expect(await inviteAction(null, "a string" as unknown as FormData)).toEqual({
      ok: false,
      error: NOT_FOUND,
    });
    expect((await events("chain.invite")).length).toBe(before + 1);
  });

  it("asks a signed-out visitor to sign in, and keeps platform actions to super-admins", async () => {
    const platform = platformAction(
      { name: "chain.platform", permission: "customers.manage", schema: z.object({}) },
      async () => ({ ok: true }),
    );
    expect(await platform(null, form({}))).toEqual({
      ok: false,
      error: "Your session has ended. Sign in again.",
    });
    session.ctx = admin(A);
    expect(await platform(null, form({}))).toEqual({ ok: false, error: NOT_FOUND });
    session.ctx = superAdmin();
    expect(await platform(null, form({}))).toEqual({ ok: true });
    expect((await events("chain.platform")).map((e) => [e.tenant_id, e.outcome])).toEqual([
      [A, "denied"],
      [null, "ok"],
    ]);
  });
});

describe("the page chains", () => {
  const notFound = /NEXT_HTTP_ERROR_FALLBACK;404/;

  it("reads a tenant page as its own customer only, and answers 404 for what is not there", async () => {
    await withTenant({ tenantId: B }, (tx) =>
      tx.insert(invites).values({
        tenantId: B,
        email: "only@b.example",
        role: "member",
        tokenHash: newInviteToken().tokenHash,
        expiresAt: new Date(Date.now() + 3_600_000),
      }),
    );
    session.ctx = admin(A);
    const { data } = await tenantPage({ permission: "users.manage", action: "chain.page" }, (tx) =>
      tx.select({ email: invites.email }).from(invites).where(eq(invites.email, "only@b.example")),
    );
    expect(data).toEqual([]);
    await expect(
      tenantPage({ permission: "users.manage", action: "chain.page" }, async () => null),
    ).rejects.toThrow(notFound);
    session.ctx = member(A);
    await expect(
      tenantPage({ permission: "users.manage", action: "chain.page" }, async () => "seen"),
    ).rejects.toThrow(notFound);
    // What is not there is a denied attempt (as an action's NotFoundError is); so is the role.
    expect((await events("chain.page")).map((e) => [e.outcome, e.details.reason])).toEqual([
      ["denied", "not found"],
      ["denied", "permission"],
    ]);
  });

  it("records a platform page's access, with its customer, before it reads", async () => {
    session.ctx = superAdmin();
    await expect(
      platformPage(
        { permission: "customers.manage", action: "chain.platform-page", tenantId: B },
        async () => null,
      ),
    ).rejects.toThrow(notFound);
    expect(await events("chain.platform-page")).toEqual([
      expect.objectContaining({ tenant_id: B, outcome: "ok", ip: "203.0.113.7" }),
    ]);
    session.ctx = admin(A);
    await expect(
      platformPage(
        { permission: "customers.manage", action: "chain.platform-page" },
        async () => "seen",
      ),
    ).rejects.toThrow(notFound);
  });
});

describe("the route chain", () => {
  const handler = route(
    {
      permission: ["audit-log.read", "audit-trail.read"],
      action: "chain.route",
      query: z.object({ n: z.coerce.number().int().min(1) }),
    },
    async (_request, ctx, { n }) => Response.json({ n, who: ctx.user.email }),
  );
  const call = (query: string) => handler(new Request(`http://localhost/api/x?${query}`));

  it("answers 401, 404 with a denied event, 400 with a sentence, or the handler's response", async () => {
    expect((await call("n=1")).status).toBe(401);
    session.ctx = member(A);
    expect((await call("n=1")).status).toBe(404);
    expect((await events("chain.route")).map((e) => e.outcome)).toEqual(["denied"]);
    session.ctx = admin(A);
    const bad = await call("n=-1");
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/^Bad request: /);
    expect(await (await call("n=2")).json()).toEqual({ n: 2, who: session.ctx.user.email });
  });
});
