// The streamed export holds no pooled connection while its client is slow, records the access
// before the first byte, and turns spreadsheet formulas into text.
import { Readable } from "node:stream";
import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { auditEvents } from "@/db/schema";
import { openPlatformRead, withTenant, type PlatformContext } from "@/db/tenant";
import { insertCustomers, insertUser, freshTestDatabase } from "@/db/test/fixture";
import { generateCustomerId } from "../customers/ids";
import {
  auditCsvChunks,
  claimExport,
  releasedAtEnd,
  type BatchReader,
  EXPORT_LEASE_SECONDS,
  EXPORT_STATEMENT_TIMEOUT_MS,
} from "./export";
import { listAuditEvents } from "./queries";
import { auditFilterSchema } from "./schemas";

const db = freshTestDatabase({ poolSize: 2 });
const root: PlatformContext = {
  userId: crypto.randomUUID(),
  email: "root@tenantry.example",
  platformRole: "super_admin",
};
const [A, B, C] = [generateCustomerId(), generateCustomerId(), generateCustomerId()];
const all = auditFilterSchema.parse({});

beforeAll(async () => {
  await insertCustomers(db.owner, [A, B, C]);
  for (const tenantId of [A, B, C]) {
    await withTenant({ tenantId }, (tx) =>
      tx.insert(auditEvents).values(
        Array.from({ length: 30 }, (_, i) => ({
          tenantId,
          action: `setup.${i}`,
          outcome: "ok" as const,
        })),
      ),
    );
  }
  await withTenant({ tenantId: A }, (tx) =>
    tx
      .insert(auditEvents)
      .values({ tenantId: A, action: "probe", targetId: "=2+5", outcome: "denied" }),
  );
});

const tenantReader =
  (tenantId: string) =>
  <T>(fn: Parameters<typeof withTenant<T>>[1]) =>
    withTenant({ tenantId }, fn, {
      readOnly: true,
      statementTimeoutMs: EXPORT_STATEMENT_TIMEOUT_MS,
    });

describe("the audit CSV export", () => {
  it("holds no connection while its readers are stalled: other customers' pages still load on a pool of 2", async () => {
    // Two exports, each having sent its first batch to a client that stopped reading.
    const stalled = [
      auditCsvChunks(tenantReader(A), all, A, 10),
      auditCsvChunks(tenantReader(B), all, B, 10),
    ];
    for (const chunks of stalled) {
      await chunks.next(); // header
      expect((await chunks.next()).value?.rows).toBe(10);
    }
    expect(db.app.totalCount - db.app.idleCount).toBe(0);
    const pages = await Promise.race([
      Promise.all(
        Array.from({ length: 6 }, () =>
          withTenant({ tenantId: C }, (tx) => listAuditEvents(tx, all, C), { readOnly: true }),
        ),
      ),
      new Promise<"stuck">((resolve) => setTimeout(() => resolve("stuck"), 5_000)),
    ]);
    expect(pages).not.toBe("stuck");
    // The stalled exports then finish, each with its own customer's rows only.
    for (const [chunks, tenantId] of [
      [stalled[0], A],
      [stalled[1], B],
    ] as const) {
      let rows = 10;
      for await (const chunk of chunks) rows += chunk.rows;
      expect(rows).toBe(tenantId === A ? 31 : 30);
    }
  });

  it("commits a super-admin's access event before the first byte, so an aborted export is on the record", async () => {
    const marker = `export-${crypto.randomUUID()}`;
    const read = await openPlatformRead(root, { action: "audit.export", details: { marker } });
    const chunks = auditCsvChunks(read, all, undefined, 10);
    await chunks.next();
    await chunks.next();
    await chunks.return(undefined); // the client went away
    const { rows } = await db.owner.query(
      "select action, outcome, tenant_id from control.audit_events where details->>'marker' = $1",
      [marker],
    );
    expect(rows).toEqual([{ action: "audit.export", outcome: "ok", tenant_id: null }]);
  });

  it("refuses a platform read to anyone but a super-admin, and writes nothing", async () => {
    await expect(
      openPlatformRead({ ...root, platformRole: null }, { action: "audit.export" }),
    ).rejects.toThrow(/super-admin/);
  });

  it("sets the statement timeout on every batch", async () => {
    const [{ timeout }] = await tenantReader(A)((tx) =>
      tx.execute<{ timeout: string }>(sql`select current_setting('statement_timeout') as timeout`),
    ).then((r) => r.rows);
    expect(timeout).toBe(`${EXPORT_STATEMENT_TIMEOUT_MS / 1000}s`);
  });

  it("writes a target of =2+5 as text, not a formula", async () => {
    let csv = "";
    for await (const chunk of auditCsvChunks(tenantReader(A), { ...all, action: "probe" }, A))
      csv += chunk.text;
    expect(csv).toContain(",'=2+5,");
    expect(csv).not.toMatch(/,=2\+5,/);
  });

  it("lets one export per user run at a time, across instances, with a lease that runs out", async () => {
    const [one, two] = [
      await insertUser(db.owner, { email: "one@slots.example", tenantId: A }),
      await insertUser(db.owner, { email: "two@slots.example", tenantId: B }),
    ];
    const slot = async (userId: string) =>
      (
        await db.owner.query<{ token: string; left: number }>(
          "select token, extract(epoch from held_until - now())::int as left from control.export_slots where user_id = $1",
          [userId],
        )
      ).rows[0];
    const release = await claimExport(one);
    expect(release).not.toBeNull();
    expect((await slot(one)).left).toBeGreaterThan(EXPORT_LEASE_SECONDS - 5);
    expect(await claimExport(one)).toBeNull();
    // Another user's slot is their own.
    const other = await claimExport(two);
    expect(other).not.toBeNull();
    await other!();
    await release!();
    expect(await slot(one)).toBeUndefined();

    // Held by another instance (a row no claim of this process made): refused while it holds.
    await db.owner.query(
      "insert into control.export_slots values ($1, gen_random_uuid(), now() + interval '1 minute')",
      [one],
    );
    expect(await claimExport(one)).toBeNull();
    await db.owner.query("delete from control.export_slots where user_id = $1", [one]);
    // A claim whose process died: its lease runs out and the slot is taken over. Its release,
    // late, gives up nothing of the new claim's.
    const stale = await claimExport(one);
    await db.owner.query(
      "update control.export_slots set held_until = now() - interval '1 second' where user_id = $1",
      [one],
    );
    const late = await claimExport(one, { renewEveryMs: 50 });
    expect(late).not.toBeNull();
    const { token } = await slot(one);
    await stale!();
    expect((await slot(one)).token).toBe(token);

    // A running export renews its lease.
    await db.owner.query(
      "update control.export_slots set held_until = now() + interval '2 seconds' where user_id = $1",
      [one],
    );
    await expect.poll(async () => (await slot(one)).left, { timeout: 5_000 }).toBeGreaterThan(60);
    await late!();
    expect(await slot(one)).toBeUndefined();
  });

  it("gives the slot up before the body ends: the next export after the last byte finds it free", async () => {
    const user = await insertUser(db.owner, { email: "end@slots.example", tenantId: A });
    const read: BatchReader = (fn) => withTenant({ tenantId: A }, fn, { readOnly: true });
    const sources = {
      csv: () => auditCsvChunks(read, auditFilterSchema.parse({}), A),
      bytes: () => Readable.from([Buffer.from("an archive's "), Buffer.from("bytes")]),
    };
    for (const [source, ending] of [
      ["csv", "done"],
      ["csv", "cancelled"],
      ["bytes", "done"],
    ] as const) {
      const release = await claimExport(user);
      // A release that takes its time, as a busy database's would.
      const slow = async () => {
        await new Promise((resolve) => setTimeout(resolve, 200));
        await release!();
      };
      const body = releasedAtEnd(sources[source](), slow);
      const reader = body.getReader();
      if (ending === "done") while (!(await reader.read()).done);
      else await reader.cancel();
      expect(await claimExport(user)).not.toBeNull();
      await db.owner.query("delete from control.export_slots where user_id = $1", [user]);
    }
  });
});

describe("audit events from requests", () => {
  it("are capped in length, and one about an unknown customer lands on the platform chain naming it", async () => {
    const unknown = generateCustomerId();
    const read = await openPlatformRead(root, {
      action: "customers.view",
      tenantId: unknown,
      targetId: "x".repeat(10_000),
      details: { reason: "y".repeat(10_000) },
      meta: { ip: "203.0.113.9", userAgent: "z".repeat(10_000), requestId: "r".repeat(10_000) },
    });
    expect(read).toBeTypeOf("function");
    const { rows } = await db.owner.query(
      "select tenant_id, length(target_id) as target, length(details->>'reason') as reason, details->>'unknownCustomer' as unknown, length(user_agent) as ua, length(request_id) as rid from control.audit_events where action = 'customers.view'",
    );
    expect(rows).toEqual([
      { tenant_id: null, target: 200, reason: 1000, unknown, ua: 512, rid: 100 },
    ]);
    const known = await withTenant({ tenantId: A }, (tx) =>
      tx.select().from(auditEvents).where(eq(auditEvents.action, "customers.view")),
    );
    expect(known).toEqual([]);
  });
});
