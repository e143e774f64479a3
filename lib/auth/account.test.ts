// Account security on a real PostgreSQL (issue #18): the second factor at sign-in and at step-up,
// recovery codes, sessions that end, reset links, password rules — and two customers that never
// see or touch each other's users' sessions and links. Only Next's request plumbing (the
// session, headers, cache) is stood in for; codes are computed from the secrets, as an app would.
import { eq, sql } from "drizzle-orm";
import { generate } from "otplib";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { passwordResets, sessions } from "@/db/schema";
import { withPlatform, withSystem, withTenant } from "@/db/tenant";
import { freshTestDatabase, insertCustomers, insertUser, refusal } from "@/db/test/fixture";
import { generateCustomerId } from "../customers/ids";
import type { RequestContext } from "./context";

const request = vi.hoisted(() => ({ ctx: null as RequestContext | null }));
vi.mock("./context", () => ({ getRequestContext: async () => request.ctx }));
vi.mock("next/headers", () => ({
  headers: async () =>
    new Headers({
      "x-forwarded-for": "198.51.100.9",
      "user-agent": "account-test",
      host: "console.test",
    }),
}));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined }));

process.env.TOTP_ENCRYPTION_KEY = "a test key of at least thirty-two characters";

const { NOT_FOUND } = await import("./action");
const { checkCredentials, THROTTLE } = await import("./sign-in");
const { resolveContext } = await import("./resolve-context");
const { hashPassword } = await import("./passwords");
const { newTotpSecret, sealSecret, TwoFactorKeyError } = await import("./totp");
const { beginEnrolment, confirmEnrolment, twoFactorKeyProblem } = await import("./two-factor");
const { endSignedOutSession } = await import("./sessions");
const { findOpenReset, redeemReset, INVALID_RESET } = await import("./resets");
const { passwordProblem } = await import("./password-rules");
const { endUserSessionsAction, issueResetAction, setUserStatusAction } =
  await import("../users/actions");
const { issueResetAnyAction } = await import("../users/platform-actions");
const { startSwitchAction } = await import("../switches/actions");
const { newRecoveryCodesAction } = await import("./account-actions");

const db = freshTestDatabase();
const [A, B] = [generateCustomerId(), generateCustomerId()];
const PASSWORD = "a long and uncommon password";
let passwordHash: string;

const step = () => Math.floor(Date.now() / 1000 / 30);
/** The code of the step `offset` from now (or from step `from`): the server takes -1, 0 and +1. */
const code = (secret: string, offset = 0, from = step()) =>
  generate({ secret, epoch: (from + offset) * 30 });
const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) data.set(k, v);
  return data;
};
/** What the database said when `work` failed (drizzle wraps it). */
const events = async (action: string, target?: string) =>
  (
    await db.owner.query(
      `select tenant_id, outcome, actor_email, details from control.audit_events
        where action = $1 and ($2::text is null or target_id = $2) order by id`,
      [action, target ?? null],
    )
  ).rows;

/** A user with a second factor whose secret the test knows. */
async function userWithTwoFactor(email: string, tenantId: string | null) {
  const secret = newTotpSecret();
  const id = await insertUser(db.owner, {
    email,
    tenantId,
    role: "admin",
    passwordHash,
    twoFactor: { sealed: sealSecret(secret) },
  });
  return { id, secret };
}

async function signIn(email: string, extra: { code?: string; ip?: string } = {}) {
  return checkCredentials({
    email,
    password: PASSWORD,
    ip: extra.ip ?? "192.0.2.50",
    code: extra.code,
    userAgent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0",
  });
}

/** The context a browser signed in as `email` has: a real session, resolved as a request is. */
async function contextOf(email: string, secret?: string, from = step()): Promise<RequestContext> {
  const result = await signIn(email, { code: secret ? await code(secret, 1, from) : undefined });
  if (!result.ok) throw new Error(`sign-in of ${email}: ${result.reason}`);
  return (await resolveContext(result.userId, { sessionId: result.sessionId }))!;
}

let adminA: string, memberA: string, adminB: string, memberB: string;

beforeAll(async () => {
  passwordHash = await hashPassword(PASSWORD);
  await insertCustomers(db.owner, [A, B]);
  adminA = await insertUser(db.owner, {
    email: "admin@a.example",
    tenantId: A,
    role: "admin",
    passwordHash,
  });
  memberA = await insertUser(db.owner, { email: "member@a.example", tenantId: A, passwordHash });
  adminB = await insertUser(db.owner, {
    email: "admin@b.example",
    tenantId: B,
    role: "admin",
    passwordHash,
  });
  memberB = await insertUser(db.owner, { email: "member@b.example", tenantId: B, passwordHash });
});

describe("two-factor sign-in", () => {
  it("asks for a code after the right password, refuses a wrong or replayed one, and starts a session with the right one", async () => {
    const { id, secret } = await userWithTwoFactor("tf1@a.example", A);
    expect(await signIn("tf1@a.example")).toEqual({ ok: false, reason: "code-required" });
    expect(await signIn("tf1@a.example", { code: await code(secret, 5) })).toEqual({
      ok: false,
      reason: "code-invalid",
    });
    expect(await events("two-factor.verify", id)).toMatchObject([
      { tenant_id: A, outcome: "failed", details: { during: "sign-in" } },
    ]);
    const right = await code(secret);
    const ok = await signIn("tf1@a.example", { code: right });
    expect(ok).toMatchObject({ ok: true, userId: id });
    const [session] = await db.owner
      .query("select * from control.sessions where user_id = $1", [id])
      .then((r) => r.rows);
    expect(session).toMatchObject({
      tenant_id: A,
      two_factor: true,
      ip: "192.0.2.50",
      ended_at: null,
    });
    // The same code again, within its window: refused.
    expect(await signIn("tf1@a.example", { code: right })).toMatchObject({
      reason: "code-invalid",
    });
  });

  it("takes each recovery code once", async () => {
    const id = await insertUser(db.owner, { email: "tf2@a.example", tenantId: A, passwordHash });
    const enrolment = await withSystem("account", (tx) =>
      beginEnrolment(tx, { id, email: "tf2@a.example" }),
    );
    expect(enrolment!.uri).toMatch(/^otpauth:\/\/totp\/Tenantry:tf2%40a\.example\?secret=/);
    expect(enrolment!.qr).toMatch(/^data:image\/png;base64,/);
    expect(await withSystem("account", (tx) => confirmEnrolment(tx, id, "123"))).toBeNull();
    const confirmed = await withSystem("account", async (tx) =>
      confirmEnrolment(tx, id, await code(enrolment!.secret)),
    );
    expect(confirmed!.recoveryCodes).toHaveLength(10);
    const [recovery] = confirmed!.recoveryCodes;
    expect(await signIn("tf2@a.example", { code: recovery.toUpperCase() })).toMatchObject({
      ok: true,
    });
    expect(await signIn("tf2@a.example", { code: recovery })).toMatchObject({
      reason: "code-invalid",
    });
    expect(await events("two-factor.recovery-code", id)).toMatchObject([
      { outcome: "ok", details: { recoveryCodesLeft: 9 } },
    ]);
    // Only hashes are stored.
    const [row] = (
      await db.owner.query(
        "select secret, recovery_codes from control.two_factor where user_id = $1",
        [id],
      )
    ).rows;
    expect(row.recovery_codes).toHaveLength(9);
    expect(JSON.stringify(row)).not.toContain(recovery);
    expect(row.secret).not.toContain(enrolment!.secret);
  });

  it("makes new recovery codes with a fresh code, and the old ones stop working", async () => {
    const { id, secret } = await userWithTwoFactor("tf-new@a.example", A);
    const signed = await signIn("tf-new@a.example", { code: await code(secret, -1) });
    if (!signed.ok) throw new Error(signed.reason);
    request.ctx = await resolveContext(signed.userId, { sessionId: signed.sessionId });
    const first = await newRecoveryCodesAction(null, form({ code: await code(secret) }));
    expect(first).toMatchObject({ ok: true });
    const codesOf = (state: typeof first) =>
      state?.ok ? (state.data?.recoveryCodes.split(" ") ?? []) : [];
    const old = codesOf(first);
    expect(old).toHaveLength(10);
    // The same code again: spent. A wrong one: refused. Neither changes the codes.
    expect(await newRecoveryCodesAction(null, form({ code: await code(secret) }))).toMatchObject({
      ok: false,
    });
    expect(await newRecoveryCodesAction(null, form({ code: "000000" }))).toMatchObject({
      ok: false,
    });
    const second = await newRecoveryCodesAction(null, form({ code: await code(secret, 1) }));
    expect(second).toMatchObject({ ok: true });
    const fresh = codesOf(second);
    expect(fresh.filter((c) => old.includes(c))).toEqual([]);
    expect(await signIn("tf-new@a.example", { code: old[0] })).toMatchObject({
      reason: "code-invalid",
    });
    expect(await signIn("tf-new@a.example", { code: fresh[0] })).toMatchObject({ ok: true });
    expect(
      (await events("two-factor.recovery-codes", id)).map((e: { outcome: string }) => e.outcome),
    ).toEqual(["ok", "failed", "failed", "ok"]);
  });

  it("throttles wrong codes like wrong passwords", async () => {
    const { secret } = await userWithTwoFactor("tf3@a.example", A);
    for (let i = 0; i < THROTTLE.perEmailAndIp; i++)
      expect(
        await signIn("tf3@a.example", { code: await code(secret, 7), ip: "192.0.2.77" }),
      ).toMatchObject({
        reason: "code-invalid",
      });
    expect(
      await signIn("tf3@a.example", { code: await code(secret), ip: "192.0.2.77" }),
    ).toMatchObject({
      reason: "throttled",
    });
  });

  it("refuses to start without the key that opens the secrets", async () => {
    expect(await twoFactorKeyProblem()).toBeNull();
    const key = process.env.TOTP_ENCRYPTION_KEY;
    try {
      delete process.env.TOTP_ENCRYPTION_KEY;
      expect(await twoFactorKeyProblem()).toMatch(
        /have two-factor on, and TOTP_ENCRYPTION_KEY is not set/,
      );
      process.env.TOTP_ENCRYPTION_KEY = "another key, of at least thirty-two characters";
      expect(await twoFactorKeyProblem()).toMatch(/does not open the stored two-factor secrets/);
      expect(() => sealSecret("x")).not.toThrow();
      process.env.TOTP_ENCRYPTION_KEY = "short";
      expect(() => sealSecret("x")).toThrow(TwoFactorKeyError);
    } finally {
      process.env.TOTP_ENCRYPTION_KEY = key;
    }
  });
});

describe("sessions", () => {
  it("end at sign-out, when idle, and past their lifetime, whatever the JWT says", async () => {
    const signed = await signIn("member@a.example");
    if (!signed.ok) throw new Error(signed.reason);
    const { userId, sessionId } = signed;
    expect(await resolveContext(userId, { sessionId })).toMatchObject({
      sessionId,
      role: "member",
    });
    // Someone else's session ID is not this user's.
    expect(await resolveContext(adminA, { sessionId })).toBeNull();
    // Idle past the customer users' 240 minutes: ended now, as "idle".
    const later = new Date(Date.now() + 241 * 60_000);
    expect(await resolveContext(userId, { sessionId, now: later })).toBeNull();
    const [idle] = (
      await db.owner.query("select end_reason from control.sessions where id = $1", [sessionId])
    ).rows;
    expect(idle.end_reason).toBe("idle");

    const again = await signIn("member@a.example");
    if (!again.ok) throw new Error(again.reason);
    await db.owner.query(
      "update control.sessions set created_at = now() - interval '9 hours' where id = $1",
      [again.sessionId],
    );
    expect(await resolveContext(userId, { sessionId: again.sessionId })).toBeNull();

    const third = await signIn("member@a.example");
    if (!third.ok) throw new Error(third.reason);
    await endSignedOutSession(third.sessionId);
    expect(await resolveContext(userId, { sessionId: third.sessionId })).toBeNull();
  });

  it("end when a super-admin's idle timeout (SESSION_IDLE_MINUTES) passes", async () => {
    const { secret } = await userWithTwoFactor("root-idle@tenantry.example", null);
    const ctx = await contextOf("root-idle@tenantry.example", secret);
    expect(ctx.role).toBe("super_admin");
    const in61 = new Date(Date.now() + 61 * 60_000);
    expect(await resolveContext(ctx.user.id, { sessionId: ctx.sessionId!, now: in61 })).toBeNull();
  });

  it("end when the user or their customer is suspended", async () => {
    const memberCtx = await contextOf("member@a.example");
    request.ctx = await contextOf("admin@a.example");
    expect(
      await setUserStatusAction(null, form({ userId: memberA, status: "disabled" })),
    ).toMatchObject({ ok: true });
    expect(await resolveContext(memberA, { sessionId: memberCtx.sessionId! })).toBeNull();
    const open = await db.owner.query(
      "select end_reason from control.sessions where user_id = $1 and id = $2",
      [memberA, memberCtx.sessionId],
    );
    expect(open.rows).toEqual([{ end_reason: "user suspended" }]);
    await setUserStatusAction(null, form({ userId: memberA, status: "active" }));

    const bCtx = await contextOf("member@b.example");
    await db.owner.query("update control.customers set status = 'suspended' where id = $1", [B]);
    const [ended] = (
      await db.owner.query("select end_reason from control.sessions where id = $1", [
        bCtx.sessionId,
      ])
    ).rows;
    expect(ended.end_reason).toBe("customer suspended");
    await db.owner.query("update control.customers set status = 'active' where id = $1", [B]);
  });
});

describe("two customers", () => {
  it("see only their own users' sessions and reset links, and cannot end or issue another's", async () => {
    await contextOf("member@b.example");
    request.ctx = await contextOf("admin@a.example");
    expect(await issueResetAction(null, form({ userId: memberA }))).toMatchObject({ ok: true });
    const seen = await withTenant({ tenantId: A }, async (tx) => ({
      sessions: await tx.select({ userId: sessions.userId }).from(sessions),
      resets: await tx.select({ userId: passwordResets.userId }).from(passwordResets),
      endedOfB: await tx
        .update(sessions)
        .set({ endedAt: new Date(), endReason: "forged" })
        .where(eq(sessions.userId, memberB))
        .returning({ id: sessions.id }),
    }));
    expect(seen.sessions.length).toBeGreaterThan(0);
    expect(new Set(seen.sessions.map((s) => s.userId))).not.toContain(memberB);
    expect(new Set(seen.resets.map((r) => r.userId))).toEqual(new Set([memberA]));
    expect(seen.endedOfB).toEqual([]);
    // A's context cannot put a link for B's user in B's name, nor read a second factor at all.
    expect(
      await refusal(
        withTenant({ tenantId: A }, (tx) =>
          tx.insert(passwordResets).values({
            userId: memberB,
            tenantId: B,
            tokenHash: "x".repeat(64),
            createdBy: "admin@a.example",
            expiresAt: new Date(Date.now() + 60_000),
          }),
        ),
      ),
    ).toMatch(/row-level security/);
    expect(
      await refusal(
        withTenant({ tenantId: A }, (tx) => tx.execute(sql`select * from control.two_factor`)),
      ),
    ).toMatch(/permission denied/);

    // Through the actions: B's user is "not found", on A's record as denied.
    for (const action of [issueResetAction, endUserSessionsAction])
      expect(await action(null, form({ userId: memberB }))).toEqual({
        ok: false,
        error: NOT_FOUND,
      });
    expect(await setUserStatusAction(null, form({ userId: memberB, status: "disabled" }))).toEqual({
      ok: false,
      error: NOT_FOUND,
    });
    for (const name of ["passwords.reset-link", "sessions.end-all", "users.set-status"])
      expect(await events(name, memberB)).toMatchObject([
        { tenant_id: A, outcome: "denied", details: { reason: "not found" } },
      ]);
    const open = await db.owner.query(
      "select count(*)::int as n from control.sessions where user_id = $1 and ended_at is null",
      [memberB],
    );
    expect(open.rows[0].n).toBeGreaterThan(0);
    expect(
      (
        await db.owner.query(
          "select count(*)::int as n from control.password_resets where user_id = $1",
          [memberB],
        )
      ).rows[0].n,
    ).toBe(0);
  });
});

describe("password reset", () => {
  it("sets a new password once, checks the rules, and ends every session", async () => {
    request.ctx = await contextOf("admin@a.example");
    const memberSession = await contextOf("member@a.example");
    const issued = await issueResetAction(null, form({ userId: memberA }));
    if (!issued?.ok) throw new Error(issued?.error);
    const link = issued.data!.link;
    expect(link).toMatch(/^http:\/\/console\.test\/reset\/[A-Za-z0-9_-]{43}$/);
    const token = link.split("/").pop()!;
    expect(await findOpenReset(token)).toEqual({ ok: true, email: "member@a.example" });

    expect(await redeemReset({ token, password: "qwertyuiop123" })).toMatchObject({
      ok: false,
      field: "password",
    });
    expect(await redeemReset({ token, password: "member@a.example" })).toMatchObject({ ok: false });
    const fresh = "a brand new long password";
    expect(await redeemReset({ token, password: fresh })).toEqual({
      ok: true,
      email: "member@a.example",
    });
    expect(await resolveContext(memberA, { sessionId: memberSession.sessionId! })).toBeNull();
    expect(await redeemReset({ token, password: "yet another long password" })).toEqual({
      ok: false,
      reason: INVALID_RESET,
    });
    expect(await findOpenReset(token)).toEqual({ ok: false, reason: INVALID_RESET });
    expect(
      await checkCredentials({ email: "member@a.example", password: fresh, ip: "192.0.2.51" }),
    ).toMatchObject({
      ok: true,
    });
    expect(
      await checkCredentials({ email: "member@a.example", password: PASSWORD, ip: "192.0.2.51" }),
    ).toMatchObject({ reason: "invalid" });
    expect(await events("passwords.reset", memberA)).toMatchObject([
      { tenant_id: A, outcome: "ok" },
    ]);
    await db.owner.query("update control.users set password_hash = $1 where id = $2", [
      passwordHash,
      memberA,
    ]);
  });

  it("refuses a link past its hour", async () => {
    request.ctx = await contextOf("admin@b.example");
    const issued = await issueResetAction(null, form({ userId: memberB }));
    if (!issued?.ok) throw new Error(issued?.error);
    const token = issued.data!.link.split("/").pop()!;
    await db.owner.query(
      "update control.password_resets set expires_at = now() - interval '1 second' where user_id = $1",
      [memberB],
    );
    expect(await redeemReset({ token, password: "a brand new long password" })).toEqual({
      ok: false,
      reason: INVALID_RESET,
    });
  });

  it("lets a super-admin issue one for anyone", async () => {
    const { secret } = await userWithTwoFactor("root-reset@tenantry.example", null);
    request.ctx = await contextOf("root-reset@tenantry.example", secret);
    expect(await issueResetAnyAction(null, form({ userId: adminB }))).toMatchObject({
      ok: true,
      data: { link: expect.stringMatching(/\/reset\//) },
    });
    expect(await events("passwords.reset-link", adminB)).toMatchObject([
      { tenant_id: B, outcome: "ok", actor_email: "root-reset@tenantry.example" },
    ]);
  });
});

describe("step-up", () => {
  it("refuses a write switch without a fresh code, and a wrong one (audited)", async () => {
    const { secret } = await userWithTwoFactor("root-switch@tenantry.example", null);
    const signedAt = step();
    request.ctx = await contextOf("root-switch@tenantry.example", secret, signedAt);
    const start = (extra: Record<string, string>) =>
      startSwitchAction(
        null,
        form({
          id: A,
          reason: "Ticket OPS-1: a step-up check",
          mode: "write",
          minutes: "15",
          ...extra,
        }),
      );
    expect(await start({})).toMatchObject({
      ok: false,
      error: expect.stringMatching(/Enter the current code/),
    });
    expect(await start({ code: await code(secret, 9) })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/not right/),
    });
    expect(await events("two-factor.verify", request.ctx.user.id)).toMatchObject([
      { outcome: "failed", details: { during: "switch in write mode" } },
    ]);
    // The sign-in used the step after its own: that code is spent, even once the clock has
    // reached its step (else a later step's code would pass, and the test would race the clock).
    expect(await start({ code: await code(secret, 1, signedAt) })).toMatchObject({ ok: false });
    const open = await db.owner.query("select 1 from control.switches where ended_at is null");
    expect(open.rows).toEqual([]);
  });

  it("switches in write mode with a fresh code", async () => {
    const { secret } = await userWithTwoFactor("root-switch2@tenantry.example", null);
    // Signed in with a recovery-free path: the step before now, so now's code is still fresh.
    const signed = await signIn("root-switch2@tenantry.example", { code: await code(secret, -1) });
    if (!signed.ok) throw new Error(signed.reason);
    request.ctx = await resolveContext(signed.userId, { sessionId: signed.sessionId });
    expect(
      await startSwitchAction(
        null,
        form({
          id: A,
          reason: "Ticket OPS-2: a step-up check",
          mode: "write",
          minutes: "15",
          code: await code(secret),
        }),
      ),
    ).toMatchObject({ ok: true });
  });
});

describe("the super-admins page", () => {
  it("lists the super-admins only, with their second factor and last sign-in", async () => {
    const { listSuperAdmins } = await import("./super-admins");
    const admins = await withPlatform(
      { userId: null, email: null, platformRole: "super_admin", actorRole: "platform_token" },
      { action: "super-admins.list" },
      (tx) => listSuperAdmins(tx),
    );
    const emails = admins.map((a) => a.email);
    expect(emails).toContain("root-switch@tenantry.example");
    expect(emails).not.toContain("admin@a.example");
    const root = admins.find((a) => a.email === "root-switch@tenantry.example")!;
    expect(root.twoFactorSince).toBeInstanceOf(Date);
    expect(root.lastSignIn).toBeInstanceOf(Date);
  });
});

describe("password rules", () => {
  it("ask for 12 characters and an uncommon password, and nothing else", () => {
    expect(passwordProblem("short")).toMatch(/at least 12/);
    expect(passwordProblem("123456789012")).toMatch(/common passwords/);
    expect(passwordProblem("QwertyUiop123")).toMatch(/common passwords/);
    expect(passwordProblem("me@example.com", "me@example.com")).toMatch(/email/);
    expect(passwordProblem("all lowercase words here")).toBeNull();
    expect(passwordProblem("ünïcödé pässwörd")).toBeNull();
  });
});
