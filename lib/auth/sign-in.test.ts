import { beforeAll, describe, expect, it } from "vitest";
import { insertCustomers, insertUser, useTestDatabase } from "@/db/test/fixture";
import { generateCustomerId } from "../customers/ids";
import { hashPassword } from "./passwords";
import { checkCredentials, THROTTLE, type Clock } from "./sign-in";

const db = useTestDatabase();
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
  await db.owner.query("update control.customers set status = 'suspended' where id = $1", [SUSPENDED]);
  await addUser("root@tenantry.example", null);
  await addUser("admin@active.example", ACTIVE);
  await addUser("throttled@active.example", ACTIVE, "member");
  await addUser("admin@suspended.example", SUSPENDED);
});

describe("checkCredentials", () => {
  it("accepts the right password, case-insensitively on the email", async () => {
    const result = await checkCredentials({ email: "Admin@Active.example", password: PASSWORD, ip: "10.0.0.1" });
    expect(result).toMatchObject({ ok: true, email: "admin@active.example" });
  });

  it("answers an unknown email exactly as a wrong password", async () => {
    const unknown = await checkCredentials({ email: "nobody@active.example", password: PASSWORD, ip: "10.0.0.2" });
    const wrong = await checkCredentials({ email: "admin@active.example", password: "wrong", ip: "10.0.0.2" });
    expect(unknown).toEqual({ ok: false, reason: "invalid" });
    expect(wrong).toEqual(unknown);
  });

  it("refuses a suspended customer's admin even with the right password", async () => {
    const result = await checkCredentials({ email: "admin@suspended.example", password: PASSWORD, ip: "10.0.0.3" });
    expect(result).toEqual({ ok: false, reason: "customer-inactive" });
  });

  it("refuses the 6th attempt in the window even with the right password, and lifts it after the window", async () => {
    const clock = fixedClock();
    const attempt = (password: string) =>
      checkCredentials({ email: "throttled@active.example", password, ip: "10.0.0.4" }, clock);
    for (let i = 0; i < THROTTLE.perEmail; i++) {
      expect(await attempt("wrong")).toEqual({ ok: false, reason: "invalid" });
      clock.advance(1);
    }
    expect(await attempt(PASSWORD)).toMatchObject({ ok: false, reason: "throttled" });
    // From another IP too: the limit is per email.
    const other = await checkCredentials({ email: "throttled@active.example", password: PASSWORD, ip: "10.9.9.9" }, clock);
    expect(other).toMatchObject({ ok: false, reason: "throttled" });

    clock.advance(THROTTLE.windowMinutes + 1);
    expect(await attempt(PASSWORD)).toMatchObject({ ok: true });
  });

  it("throttles per IP across emails", async () => {
    const clock = fixedClock(new Date("2026-11-02T10:00:00Z"));
    for (let i = 0; i < THROTTLE.perIp; i++) {
      await checkCredentials({ email: `probe${i}@nowhere.example`, password: "x", ip: "10.6.6.6" }, clock);
    }
    const result = await checkCredentials({ email: "admin@active.example", password: PASSWORD, ip: "10.6.6.6" }, clock);
    expect(result).toMatchObject({ ok: false, reason: "throttled", retryInMinutes: THROTTLE.windowMinutes });
    const elsewhere = await checkCredentials({ email: "admin@active.example", password: PASSWORD, ip: "10.7.7.7" }, clock);
    expect(elsewhere).toMatchObject({ ok: true });
  });
});
