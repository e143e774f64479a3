import { beforeAll, describe, expect, it } from "vitest";
import { insertCustomers, insertUser, freshTestDatabase } from "@/db/test/fixture";
import { generateCustomerId } from "../customers/ids";
import { hashPassword } from "./passwords";
import { checkCredentials, THROTTLE, type Clock } from "./sign-in";

const db = freshTestDatabase();
const PASSWORD = "correct horse battery staple";
const [ACTIVE, SUSPENDED] = [generateCustomerId(), generateCustomerId()];

/** A clock the test moves by hand: no sleeps. */
function fixedClock(start = new Date("2026-11-01T10:00:00Z")) {
  let now = start.getTime();
  const clock: Clock & { advance(minutes: number): void } = {
    now: () => new Date(now),
    advance: (minutes) => (now += minutes * 60_000),
  };
  return clock;
}

beforeAll(async () => {
  const passwordHash = await hashPassword(PASSWORD);
  const addUser = (email: string, tenantId: string | null, role: "admin" | "member" = "admin") =>
    insertUser(db.owner, { email, tenantId, role, passwordHash });
  await insertCustomers(db.owner, [ACTIVE, SUSPENDED]);
  await db.owner.query("update control.customers set status = 'suspended' where id = $1", [
    SUSPENDED,
  ]);
  await addUser("root@tenantry.example", null);
  await addUser("admin@active.example", ACTIVE);
  await addUser("throttled@active.example", ACTIVE, "member");
  await addUser("admin@suspended.example", SUSPENDED);
});

describe("checkCredentials", () => {
  it("accepts the right password, case-insensitively on the email", async () => {
    const result = await checkCredentials({
      email: "Admin@Active.example",
      password: PASSWORD,
      ip: "10.0.0.1",
    });
    expect(result).toMatchObject({ ok: true, email: "admin@active.example" });
  });

  it("answers an unknown email exactly as a wrong password", async () => {
    const unknown = await checkCredentials({
      email: "nobody@active.example",
      password: PASSWORD,
      ip: "10.0.0.2",
    });
    const wrong = await checkCredentials({
      email: "admin@active.example",
      password: "wrong",
      ip: "10.0.0.2",
    });
    expect(unknown).toEqual({ ok: false, reason: "invalid" });
    expect(wrong).toEqual(unknown);
  });

  it("refuses a suspended customer's admin even with the right password", async () => {
    const result = await checkCredentials({
      email: "admin@suspended.example",
      password: PASSWORD,
      ip: "10.0.0.3",
    });
    expect(result).toEqual({ ok: false, reason: "customer-inactive" });
  });

  it("refuses the 6th attempt from one IP for one email even with the right password, and lifts it after the window", async () => {
    const clock = fixedClock();
    const attempt = (password: string) =>
      checkCredentials({ email: "throttled@active.example", password, ip: "10.0.0.4" }, clock);
    for (let i = 0; i < THROTTLE.perEmailAndIp; i++) {
      expect(await attempt("wrong")).toEqual({ ok: false, reason: "invalid" });
      clock.advance(1);
    }
    expect(await attempt(PASSWORD)).toMatchObject({ ok: false, reason: "throttled" });
    // The attacker's failures do not lock the owner out: from another IP the right password works.
    const owner = await checkCredentials(
      { email: "throttled@active.example", password: PASSWORD, ip: "10.9.9.9" },
      clock,
    );
    expect(owner).toMatchObject({ ok: true });

    clock.advance(THROTTLE.windowMinutes + 1);
    expect(await attempt(PASSWORD)).toMatchObject({ ok: true });
  });

  it("slows guessing from many IPs with a per-email ceiling, audited, that still lets the owner in from a known IP", async () => {
    const clock = fixedClock(new Date("2026-11-03T10:00:00Z"));
    const email = "ceiling@active.example";
    await insertUser(db.owner, {
      email,
      tenantId: ACTIVE,
      role: "member",
      passwordHash: await hashPassword(PASSWORD),
    });
    expect(
      await checkCredentials({ email, password: PASSWORD, ip: "192.0.2.10" }, clock),
    ).toMatchObject({ ok: true });
    clock.advance(60);
    for (let i = 0; i < THROTTLE.perEmail; i++) {
      const ip = `198.51.100.${i}`;
      expect(await checkCredentials({ email, password: "guess", ip }, clock)).toEqual({
        ok: false,
        reason: "invalid",
      });
    }
    // The ceiling is reached: a new address is refused, even with the right password …
    expect(
      await checkCredentials({ email, password: PASSWORD, ip: "203.0.113.77" }, clock),
    ).toMatchObject({ ok: false, reason: "throttled" });
    // … the owner's own address is not.
    expect(
      await checkCredentials({ email, password: PASSWORD, ip: "192.0.2.10" }, clock),
    ).toMatchObject({ ok: true });
    const { rows } = await db.owner.query(
      "select outcome, tenant_id, details->>'failures' as failures from control.audit_events where action = 'sign-ins.limit' and target_id = $1",
      [email],
    );
    expect(rows).toEqual([
      { outcome: "denied", tenant_id: null, failures: String(THROTTLE.perEmail) },
    ]);
  });

  it("throttles per IP across emails", async () => {
    const clock = fixedClock(new Date("2026-11-02T10:00:00Z"));
    for (let i = 0; i < THROTTLE.perIp; i++) {
      await checkCredentials(
        { email: `probe${i}@nowhere.example`, password: "x", ip: "10.6.6.6" },
        clock,
      );
    }
    const result = await checkCredentials(
      { email: "admin@active.example", password: PASSWORD, ip: "10.6.6.6" },
      clock,
    );
    expect(result).toMatchObject({
      ok: false,
      reason: "throttled",
      retryInMinutes: THROTTLE.windowMinutes,
    });
    const elsewhere = await checkCredentials(
      { email: "admin@active.example", password: PASSWORD, ip: "10.7.7.7" },
      clock,
    );
    expect(elsewhere).toMatchObject({ ok: true });
  });
});
