// A customer's last activity (the usage figure activity.last) is the latest of its audit events,
// read from its chain's head, which the sealer keeps (migration 0079), and from its events not
// sealed yet: not from the customer's whole log.
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
