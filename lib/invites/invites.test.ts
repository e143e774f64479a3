import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { invites } from "@/db/schema";
import { withPlatform, withTenant, type Tx } from "@/db/tenant";
import { insertCustomers, freshTestDatabase } from "@/db/test/fixture";
import { checkCredentials, type Clock } from "../auth/sign-in";
import { generateCustomerId } from "../customers/ids";
import { ActionError } from "../auth/action";
import { acceptInvite, findOpenInvite, INVALID_INVITE } from "./accept";
import { createInvite } from "./mutations";
import { newInviteToken } from "./tokens";

const db = freshTestDatabase();
const [A, B, SUSPENDED, LAPSED] = Array.from({ length: 4 }, generateCustomerId);
const PASSWORD = "a good long password";
const at = (iso: string): Clock => ({ now: () => new Date(iso) });
const NOW = "2026-11-10T12:00:00Z";

/** An invitation as the customer's own admin would create it: through withTenant. */
async function invite(tenantId: string, email: string, expiresAt = "2026-11-13T12:00:00Z") {
  const { token, tokenHash } = newInviteToken();
  const [row] = await withTenant({ tenantId }, (tx) =>
    tx
      .insert(invites)
      .values({ tenantId, email, role: "member", tokenHash, expiresAt: new Date(expiresAt) })
      .returning({ id: invites.id }),
  );
  return { token, id: row.id };
}

beforeAll(async () => {
  await insertCustomers(db.owner, [A, B, SUSPENDED, LAPSED]);
  // A trial past its end that the lifecycle worker has not yet marked expired: read-only already.
  await db.owner.query(
    "update control.customers set status = 'trial', trial_ends_at = '2026-11-09T00:00:00Z' where id = $1",
    [LAPSED],
  );
  await db.owner.query("update control.customers set status = 'suspended' where id = $1", [
    SUSPENDED,
  ]);
});

describe("invites are tenant-isolated", () => {
  it("shows B none of A's invitations and lets B change none of them", async () => {
    const a = await invite(A, "a-only@a.example");
    const seen = await withTenant({ tenantId: B }, (tx) => tx.select().from(invites), {
      readOnly: true,
    });
    expect(seen).toEqual([]);
    const revoked = await withTenant({ tenantId: B }, (tx) =>
      tx
        .update(invites)
        .set({ revokedAt: new Date() })
        .where(eq(invites.id, a.id))
        .returning({ id: invites.id }),
    );
    expect(revoked).toEqual([]);
    const { tokenHash } = newInviteToken();
    const refused = await withTenant({ tenantId: B }, (tx) =>
      tx.insert(invites).values({
        tenantId: A,
        email: "x@a.example",
        role: "admin",
        tokenHash,
        expiresAt: new Date(),
      }),
    ).then(
      () => null,
      (e: Error) => ((e.cause as Error | undefined) ?? e).message,
    );
    expect(refused).toMatch(/new row violates row-level security policy/);
    const { rows } = await db.owner.query("select revoked_at from control.invites where id = $1", [
      a.id,
    ]);
    expect(rows).toEqual([{ revoked_at: null }]);
  });

  it("keeps only the token's hash", async () => {
    const { token, id } = await invite(A, "hash@a.example");
    const { rows } = await db.owner.query("select token_hash from control.invites where id = $1", [
      id,
    ]);
    expect(rows[0].token_hash).not.toContain(token);
    expect(rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("accepting an invitation", () => {
  it("creates the user as a member of the inviting customer, once", async () => {
    const { token } = await invite(A, "new@a.example");
    expect(await findOpenInvite(token, at(NOW))).toMatchObject({
      ok: true,
      email: "new@a.example",
      role: "member",
    });
    expect(await acceptInvite({ token, displayName: "New", password: PASSWORD }, at(NOW))).toEqual({
      ok: true,
      email: "new@a.example",
    });
    const { rows } = await db.owner.query(
      "select m.tenant_id, m.role from control.memberships m join control.users u on u.id = m.user_id where u.email = 'new@a.example'",
    );
    expect(rows).toEqual([{ tenant_id: A, role: "member" }]);
    expect(
      await checkCredentials({ email: "new@a.example", password: PASSWORD, ip: "10.2.2.2" }),
    ).toMatchObject({ ok: true });

    // Single use.
    expect(await findOpenInvite(token, at(NOW))).toMatchObject({ ok: false });
    expect(
      await acceptInvite({ token, displayName: "Again", password: PASSWORD }, at(NOW)),
    ).toMatchObject({ ok: false });
    const audit = await db.owner.query(
      "select tenant_id, outcome from control.audit_events where action = 'invites.accept'",
    );
    expect(audit.rows).toEqual([{ tenant_id: A, outcome: "ok" }]);
  });

  it("refuses an expired, a withdrawn, an unknown, a suspended and a lapsed trial's invitation", async () => {
    const expired = await invite(A, "late@a.example", "2026-11-10T11:59:59Z");
    const withdrawn = await invite(A, "gone@a.example");
    await withTenant({ tenantId: A }, (tx) =>
      tx
        .update(invites)
        .set({ revokedAt: new Date() })
        .where(and(eq(invites.tenantId, A), eq(invites.id, withdrawn.id))),
    );
    const suspended = await invite(SUSPENDED, "x@suspended.example");
    const lapsed = await invite(LAPSED, "x@lapsed.example");
    for (const token of [
      expired.token,
      withdrawn.token,
      suspended.token,
      lapsed.token,
      newInviteToken().token,
    ]) {
      expect(await findOpenInvite(token, at(NOW))).toMatchObject({ ok: false });
      expect(
        await acceptInvite({ token, displayName: "X", password: PASSWORD }, at(NOW)),
      ).toMatchObject({ ok: false });
    }
    const { rows } = await db.owner.query(
      "select count(*)::int as n from control.users where email in ('late@a.example', 'gone@a.example', 'x@suspended.example', 'x@lapsed.example')",
    );
    expect(rows[0].n).toBe(0);
  });

  it("refuses an email that already has an account elsewhere without saying so, and changes nothing", async () => {
    const first = await invite(A, "twice@a.example");
    await acceptInvite({ token: first.token, displayName: "One", password: PASSWORD }, at(NOW));
    const second = await invite(B, "twice@a.example");
    const result = await acceptInvite(
      { token: second.token, displayName: "Two", password: PASSWORD },
      at(NOW),
    );
    // B's admin holds this link too: the answer is the one any dead link gets.
    expect(result).toEqual({ ok: false, reason: INVALID_INVITE });
    const events = await db.owner.query(
      "select tenant_id, outcome from control.audit_events where action = 'invites.accept' and target_id = $1",
      [second.id],
    );
    expect(events.rows).toEqual([{ tenant_id: null, outcome: "failed" }]);
    const { rows } = await db.owner.query("select accepted_at from control.invites where id = $1", [
      second.id,
    ]);
    expect(rows).toEqual([{ accepted_at: null }]);
    const count = await db.owner.query(
      "select count(*)::int as n from control.users where email = 'twice@a.example'",
    );
    expect(count.rows[0].n).toBe(1);
  });

  it("answers two acceptances for one address at the same moment with one account and one sentence, no error", async () => {
    const [a, b] = [await invite(A, "race@a.example"), await invite(B, "race@a.example")];
    const results = await Promise.all([
      acceptInvite({ token: a.token, displayName: "A", password: PASSWORD }, at(NOW)),
      acceptInvite({ token: b.token, displayName: "B", password: PASSWORD }, at(NOW)),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual([{ ok: false, reason: INVALID_INVITE }]);
    const count = await db.owner.query(
      "select count(*)::int as n from control.users where email = 'race@a.example'",
    );
    expect(count.rows[0].n).toBe(1);
  });
});

describe("createInvite", () => {
  it("lets a super-admin invite a customer's first admin, once, through withPlatform", async () => {
    const superAdmin = {
      userId: crypto.randomUUID(),
      email: "root@tenantry.example",
      platformRole: "super_admin" as const,
    };
    const create = () =>
      withPlatform(superAdmin, { action: "invites.create", tenantId: B }, (tx) =>
        createInvite(tx, {
          tenantId: B,
          email: "first-admin@b.example",
          role: "admin",
          invitedBy: null,
          now: new Date(NOW),
        }),
      );
    const { token, expiresAt } = await create();
    expect(expiresAt.toISOString()).toBe("2026-11-13T12:00:00.000Z");
    expect(await findOpenInvite(token, at(NOW))).toMatchObject({
      ok: true,
      email: "first-admin@b.example",
      role: "admin",
    });
    await expect(create()).rejects.toBeInstanceOf(ActionError);
    // B's own admins see it; A's do not.
    const seenByB = await withTenant(
      { tenantId: B },
      (tx) => tx.select({ email: invites.email }).from(invites),
      { readOnly: true },
    );
    expect(seenByB.map((r) => r.email)).toContain("first-admin@b.example");
    const seenByA = await withTenant(
      { tenantId: A },
      (tx) => tx.select({ email: invites.email }).from(invites),
      { readOnly: true },
    );
    expect(seenByA.map((r) => r.email)).not.toContain("first-admin@b.example");
  });

  it("takes one of two invitations to one address asked for at the same moment", async () => {
    const C = generateCustomerId();
    await insertCustomers(db.owner, [C]);
    const email = "same-moment@c.example";
    const create = (tx: Tx) =>
      createInvite(tx, { tenantId: C, email, role: "member", invitedBy: null });
    let made!: () => void;
    let commit!: () => void;
    const madeFirst = new Promise<void>((resolve) => (made = resolve));
    const first = withTenant({ tenantId: C }, async (tx) => {
      await create(tx);
      made();
      await new Promise<void>((resolve) => (commit = resolve));
    });
    await madeFirst;
    // The second checks while the first is made but not committed: it waits for the first.
    const second = withTenant({ tenantId: C }, create).then(
      () => "made",
      (error: Error) => error.message,
    );
    const early = await Promise.race([
      second,
      new Promise((resolve) => setTimeout(() => resolve("waiting"), 300)),
    ]);
    commit();
    await first;
    expect(early).toBe("waiting");
    expect(await second).toMatch(/already has an open invitation/);
    const { rows } = await db.owner.query(
      "select count(*)::int as n from control.invites where email = $1",
      [email],
    );
    expect(rows).toEqual([{ n: 1 }]);
  });
});
