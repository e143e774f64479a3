// A customer's last activity (the usage figure activity.last) is the latest of its audit events,
// read from its chain's head, which the sealer keeps (migration 0079), and from its events not
// sealed yet: not from the customer's whole log. Its audited actions in 30 days (actions.30d)
// are its events from 30 days back, whole days from the counts the sealer keeps (migration 0081).
import { beforeAll, describe, expect, it } from "vitest";
import { figuresAsOf, freshTestDatabase, insertCustomers } from "@/db/test/fixture";
import { sealAuditEvents } from "@/lib/audit/seal";
import { generateCustomerId } from "../customers/ids";
import { snapshotTaken } from "./test/snapshot";

const db = freshTestDatabase();
const [A, B] = [generateCustomerId(), generateCustomerId()];

beforeAll(async () => {
  await insertCustomers(db.owner, [A, B]);
});

/** An audit event of `tenantId`'s, `ago` (an interval) before now. */
const eventOf = (tenantId: string, ago: string) =>
  db.owner.query(
    "insert into control.audit_events (tenant_id, action, outcome, at) values ($1, 'act', 'ok', now() - $2::interval)",
    [tenantId, ago],
  );
/** The customer's latest event, in whole seconds, counted from its events. */
const latestEvent = async (tenantId: string) =>
  Number(
    (
      await db.owner.query(
        "select extract(epoch from max(at))::bigint as at from control.audit_events where tenant_id = $1",
        [tenantId],
      )
    ).rows[0].at,
  );
const chainHead = async (tenantId: string) =>
  Number(
    (
      await db.owner.query(
        "select extract(epoch from last_at)::bigint as at from control.audit_chain where chain = $1",
        [tenantId],
      )
    ).rows[0]?.at ?? 0,
  );
const lastActivity = async (tenantId: string) =>
  (await figuresAsOf(db.owner, (await snapshotTaken("command")).runId, tenantId))["activity.last"];

describe("a customer's last activity", () => {
  it("is its latest event, sealed or not, kept on its chain's head as events are sealed", async () => {
    await eventOf(A, "3 hours");
    await eventOf(A, "2 hours");
    await eventOf(B, "1 day");
    // Not sealed yet: read from the events themselves.
    expect(await lastActivity(A)).toBe(await latestEvent(A));
    expect(await chainHead(A)).toBe(0);
    await sealAuditEvents();
    expect(await chainHead(A)).toBe(await latestEvent(A));
    expect(await chainHead(B)).toBe(await latestEvent(B));
    expect(await lastActivity(A)).toBe(await latestEvent(A));
    expect(await lastActivity(B)).toBe(await latestEvent(B));
    // A later event, not sealed yet, is the latest; an older one sealed after it changes nothing.
    await eventOf(A, "1 hour");
    expect(await lastActivity(A)).toBe(await latestEvent(A));
    await sealAuditEvents();
    await eventOf(A, "5 hours");
    await sealAuditEvents();
    expect(await chainHead(A)).toBe(await latestEvent(A));
    expect(await lastActivity(A)).toBe(await latestEvent(A));
  });

  it("reads sealed events from the chain's head, not from the log", async () => {
    // The head moved by hand (the owner's, for the test): the figure follows the head.
    await db.owner.query(
      "update control.audit_chain set last_at = last_at + interval '1 day' where chain = $1",
      [B],
    );
    expect(await lastActivity(B)).toBe((await latestEvent(B)) + 86_400);
  });
});

describe("a customer's audited actions in 30 days", () => {
  it("are its events from 30 days back, sealed or not, whole days read from the sealer's counts", async () => {
    const [C] = await insertCustomers(db.owner, [generateCustomerId()]);
    const now = new Date();
    const since = now.getTime() - 30 * 86_400_000;
    const at = (ms: number) =>
      db.owner.query(
        "insert into control.audit_events (tenant_id, action, outcome, at) values ($1, 'act', 'ok', $2)",
        [C, new Date(ms)],
      );
    // Around the window's start (just before it; on its first, partial day), inside it, today.
    for (const ms of [since - 60_000, since + 60_000, since + 7_200_000, since + 20 * 86_400_000])
      await at(ms);
    await at(now.getTime() - 3_600_000);
    await sealAuditEvents();
    // Not sealed yet: one on the window's first day, one today.
    await at(since + 180_000);
    await at(now.getTime() - 120_000);
    const exact = Number(
      (
        await db.owner.query(
          "select count(*) as n from control.audit_events where tenant_id = $1 and at >= $2",
          [C, new Date(since)],
        )
      ).rows[0].n,
    );
    expect(exact).toBe(6);
    const actions = async () =>
      (await figuresAsOf(db.owner, (await snapshotTaken("command", now)).runId, C))["actions.30d"];
    expect(await actions()).toBe(exact);
    // A whole day inside the window is read from the sealer's count: moved by hand, it moves.
    await db.owner.query(
      "update control.audit_daily set events = events + 5 where chain = $1 and day = ($2::timestamptz at time zone 'UTC')::date",
      [C, new Date(since + 20 * 86_400_000)],
    );
    expect(await actions()).toBe(exact + 5);
  });
});
