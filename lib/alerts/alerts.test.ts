// Alerts (issue #17) on a real PostgreSQL: a customer admin refused 20 times in a minute raises
// one alert, not twenty; the webhook receives it signed, and a failed delivery is tried again;
// acknowledging lets the next one be raised; one customer's transaction sees no other's alerts.
import { createHmac, randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { withTenant } from "@/db/tenant";
import { freshTestDatabase, insertCustomers, withOwnerDrizzle } from "@/db/test/fixture";
import type { RequestContext } from "@/lib/auth/context";
import { generateCustomerId } from "@/lib/customers/ids";

vi.mock("@/lib/auth/context", () => ({ getRequestContext: async () => null }));
vi.mock("next/headers", () => ({
  headers: async () =>
    new Headers({ "x-forwarded-for": "203.0.113.5", "user-agent": "alerts-test" }),
}));

const { auditAccess } = await import("@/lib/auth/action");
const { raiseAlertNow } = await import("./raise");
const { deliverAlerts } = await import("./webhook");
const { acknowledgeAlert } = await import("./queries");

const db = freshTestDatabase();
const [A, B] = [generateCustomerId(), generateCustomerId()];
const admin = (tenant: string): RequestContext => ({
  user: { id: randomUUID(), email: `admin@${tenant.toLowerCase()}.example`, displayName: "Admin" },
  platformRole: null,
  customer: { id: tenant, name: `Customer ${tenant}`, status: "active" },
  membershipRole: "admin",
  activeSwitch: null,
  twoFactor: true,
  sessionId: null,
  role: "admin",
});
const openAlerts = async () =>
  (
    await db.owner.query(
      "select kind, tenant_id, dedupe_key, summary from control.alerts where acknowledged_at is null order by raised_at",
    )
  ).rows;

let server: Server;
const received: { body: string; signature: string }[] = [];
let failNext = 1;

beforeAll(async () => {
  await insertCustomers(db.owner, [A, B]);
  server = createServer((request, response) => {
    let body = "";
    request.on("data", (c) => (body += c));
    request.on("end", () => {
      received.push({ body, signature: String(request.headers["tenantry-signature"]) });
      response.statusCode = failNext-- > 0 ? 500 : 204;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  process.env.ALERT_WEBHOOK_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  process.env.ALERT_WEBHOOK_SECRET = "test-secret";
});

afterAll(() => {
  delete process.env.ALERT_WEBHOOK_URL;
  delete process.env.ALERT_WEBHOOK_SECRET;
  server?.close();
});

describe("denied attempts", () => {
  it("raise one alert when one actor is refused 20 times in a minute, none for 19", async () => {
    const quiet = admin(B);
    for (let i = 0; i < 19; i++)
      await auditAccess(quiet, "customers.view", "denied", { details: { reason: "permission" } });
    expect(await openAlerts()).toEqual([]);

    const busy = admin(A);
    for (let i = 0; i < 25; i++)
      await auditAccess(busy, "customers.view", "denied", { details: { reason: "permission" } });
    expect(await openAlerts()).toEqual([
      {
        kind: "cross-tenant",
        tenant_id: A,
        dedupe_key: `denied:actor:${busy.user.id}`,
        summary: `${busy.user.email} was refused 20 times in a minute (the last: customers.view).`,
      },
    ]);
  });

  it("are A's alone: B's transaction neither reads nor writes A's alerts", async () => {
    const seen = await withTenant({ tenantId: B }, (tx) =>
      tx.execute<{ n: number }>(sql`select count(*)::int as n from control.alerts`),
    );
    expect(seen.rows[0].n).toBe(0);
    await expect(
      withTenant({ tenantId: B }, (tx) =>
        tx.execute(
          sql`insert into control.alerts (kind, tenant_id, dedupe_key, summary) values ('quota', ${A}, 'x', 'x')`,
        ),
      ),
    ).rejects.toThrow();
  });
});

describe("the webhook", () => {
  it("receives each alert signed, and a failed delivery is tried again later", async () => {
    const now = new Date();
    const first = await deliverAlerts(now);
    expect(first).toEqual([expect.objectContaining({ ok: false, status: 500 })]);
    // Not yet due again.
    expect(await deliverAlerts(new Date(now.getTime() + 1_000))).toEqual([]);
    const second = await deliverAlerts(new Date(now.getTime() + 11_000));
    expect(second).toEqual([expect.objectContaining({ ok: true, status: 204 })]);
    expect(received).toHaveLength(2);
    const { body, signature } = received[1];
    const [, t, mac] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature)!;
    expect(mac).toBe(createHmac("sha256", "test-secret").update(`${t}.${body}`).digest("hex"));
    expect(JSON.parse(body)).toMatchObject({ kind: "cross-tenant", customer: A });
    const { rows } = await db.owner.query(
      "select attempts, delivered_at is not null as delivered, jsonb_array_length(log) as logged from control.alert_deliveries",
    );
    expect(rows).toEqual([{ attempts: 2, delivered: true, logged: 2 }]);
    expect(await deliverAlerts(new Date(now.getTime() + 60_000))).toEqual([]);
  });
});

describe("acknowledging", () => {
  it("closes an alert, after which the same cause raises a new one", async () => {
    await raiseAlertNow({ kind: "guard", dedupeKey: "guard", summary: "the guard fails" });
    await raiseAlertNow({ kind: "guard", dedupeKey: "guard", summary: "the guard fails again" });
    const guard = (await openAlerts()).filter((a) => a.kind === "guard");
    expect(guard).toHaveLength(1);
    const { rows } = await db.owner.query<{ id: string }>(
      "select id from control.alerts where dedupe_key = 'guard'",
    );
    await withOwnerDrizzle(db.owner, (tx) => acknowledgeAlert(tx, rows[0].id, "root@example.com"));
    await raiseAlertNow({
      kind: "guard",
      dedupeKey: "guard",
      summary: "the guard fails once more",
    });
    expect((await openAlerts()).filter((a) => a.kind === "guard")).toEqual([
      expect.objectContaining({ summary: "the guard fails once more" }),
    ]);
  });
});
