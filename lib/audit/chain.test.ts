import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { applyAuditRetention } from "@/db/audit-retention";
import { auditEvents } from "@/db/schema";
import { withPlatform, withTenant, type PlatformContext } from "@/db/tenant";
import { insertCustomers, freshTestDatabase } from "@/db/test/fixture";
import { generateCustomerId } from "../customers/ids";
import { describeChain, verifyAuditChain } from "./chain";
import { sealAuditEvents } from "./seal";

const db = freshTestDatabase();
const root: PlatformContext = {
  userId: crypto.randomUUID(),
  email: "root@tenantry.example",
  platformRole: "super_admin",
};
const [A] = [generateCustomerId()];

const write = (action: string) =>
  withTenant({ tenantId: A }, (tx) =>
    tx.insert(auditEvents).values({ tenantId: A, action, outcome: "ok" }),
  );
/** Runs `work` as a DBA with the owner's rights would, the append-only trigger off meanwhile. */
async function withoutAppendOnly(work: () => Promise<unknown>) {
  await db.owner.query("alter table control.audit_events disable trigger audit_events_append_only");
  try {
    await work();
  } finally {
    await db.owner.query(
      "alter table control.audit_events enable trigger audit_events_append_only",
    );
  }
}
const databaseError = (work: Promise<unknown>) =>
  work.then(
    () => "no error",
    (e: Error) => ((e.cause as Error | undefined) ?? e).message,
  );

/** Runs `during` while one event of `tenantId`'s is inserted in a transaction still open. */
async function whileAnInsertIsOpen<T>(tenantId: string, during: () => Promise<T>): Promise<T> {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let inserted!: () => void;
  const insertedOpen = new Promise<void>((resolve) => (inserted = resolve));
  const open = withTenant({ tenantId }, async (tx) => {
    await tx.insert(auditEvents).values({ tenantId, action: "open", outcome: "ok" });
    inserted();
    await held;
  });
  await insertedOpen;
  try {
    return await during();
  } finally {
    release();
    await open;
  }
}

beforeAll(async () => {
  await insertCustomers(db.owner, [A]);
  for (let i = 0; i < 5; i++) await write(`setup.${i}`);
});

describe("the audit log", () => {
  it("refuses UPDATE and DELETE to every role the app takes", async () => {
    expect(
      await databaseError(
        withTenant({ tenantId: A }, (tx) =>
          tx.execute(sql`update control.audit_events set action = 'x'`),
        ),
      ),
    ).toMatch(/permission denied/);
    expect(
      await databaseError(
        withTenant({ tenantId: A }, (tx) => tx.execute(sql`delete from control.audit_events`)),
      ),
    ).toMatch(/permission denied/);
    expect(
      await databaseError(
        withPlatform(root, { action: "t" }, (tx) =>
          tx.execute(sql`update control.audit_events set action = 'x'`),
        ),
      ),
    ).toMatch(/permission denied|append-only/);
    expect(
      await databaseError(
        withPlatform(root, { action: "t" }, (tx) =>
          tx.execute(sql`delete from control.audit_events`),
        ),
      ),
    ).toMatch(/append-only/);
    // Not even the owner, outside the retention job.
    expect(await databaseError(db.owner.query("delete from control.audit_events"))).toMatch(
      /append-only/,
    );
    expect(await databaseError(db.owner.query("truncate control.audit_events"))).toMatch(
      /append-only/,
    );
    expect((await verifyAuditChain()).ok).toBe(true);
  });

  it("names only customers that exist, without locking the customer's row", async () => {
    expect(
      await databaseError(
        withPlatform(root, { action: "t" }, (tx) =>
          tx.execute(
            sql`insert into control.audit_events (tenant_id, action, outcome) values ('ZZZZZZZZZ', 'made.up', 'ok')`,
          ),
        ),
      ),
    ).toMatch(/no customer ZZZZZZZZZ/);
    // A customer with events cannot be deleted, as when a foreign key held them together.
    const [K] = await insertCustomers(db.owner, [generateCustomerId()]);
    await withTenant({ tenantId: K }, (tx) =>
      tx.insert(auditEvents).values({ tenantId: K, action: "kept", outcome: "ok" }),
    );
    expect(
      await databaseError(db.owner.query("delete from control.customers where id = $1", [K])),
    ).toMatch(/has audit events/);
    // While K's event is being written (its transaction open), K's row is not locked.
    const locked = await whileAnInsertIsOpen(K, async () => {
      const client = await db.owner.connect();
      try {
        await client.query("begin");
        return await databaseError(
          client.query("select 1 from control.customers where id = $1 for update nowait", [K]),
        );
      } finally {
        await client.query("rollback");
        client.release();
      }
    });
    expect(locked).toBe("no error");
  });

  it("chains 20 parallel writers of one customer into one unbroken chain", async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => write(`parallel.${i}`)));
    const report = await verifyAuditChain();
    expect(report).toMatchObject({ ok: true });
    const { rows } = await db.owner.query(
      "select count(*)::int as n, min(chain_seq)::int as lo, max(chain_seq)::int as hi from control.audit_events where tenant_id = $1",
      [A],
    );
    expect(rows[0]).toEqual({ n: 25, lo: 1, hi: 25 });
  });

  it("names the row whose content was altered, and the one after a deleted row", async () => {
    const { rows } = await db.owner.query<{ id: string }>(
      "select id from control.audit_events where tenant_id = $1 order by chain_seq offset 3 limit 1",
      [A],
    );
    const victim = Number(rows[0].id);
    // A DBA with the owner's rights, bypassing the triggers: exactly what the chain must reveal.
    await withoutAppendOnly(async () => {
      await db.owner.query(
        "update control.audit_events set details = '{\"changed\": true}' where id = $1",
        [victim],
      );
      expect(await verifyAuditChain()).toMatchObject({
        ok: false,
        chain: A,
        brokenId: victim,
        reason: "its content does not match its hash",
      });
      const { rows: after } = await db.owner.query<{ id: string }>(
        "select id from control.audit_events where tenant_id = $2 and chain_seq > (select chain_seq from control.audit_events where id = $1) order by chain_seq limit 1",
        [victim, A],
      );
      await db.owner.query("delete from control.audit_events where id = $1", [victim]);
      expect(await verifyAuditChain()).toMatchObject({
        ok: false,
        brokenId: Number(after[0].id),
        reason: "events before it are missing",
      });
    });
  });
});

describe("retention", () => {
  it("deletes only old events, anchors the chain, audits itself, and the chain still verifies", async () => {
    const [B] = await insertCustomers(db.owner, [generateCustomerId()]);
    // Everything so far (tampered rows included) is made 400 days old, so the cut removes it.
    const old = new Date(Date.now() - 400 * 86_400_000);
    await withoutAppendOnly(() => db.owner.query("update control.audit_events set at = $1", [old]));
    await withTenant({ tenantId: B }, (tx) =>
      tx.insert(auditEvents).values({ tenantId: B, action: "recent.1", outcome: "ok" }),
    );
    await withTenant({ tenantId: B }, (tx) =>
      tx.insert(auditEvents).values({ tenantId: B, action: "recent.2", outcome: "ok" }),
    );

    const result = await applyAuditRetention(db.database.ownerUrl, { days: 365 });
    expect(result.deleted).toBeGreaterThan(20);
    const { rows } = await db.owner.query("select action from control.audit_events order by id");
    expect(rows.map((r) => r.action)).toEqual(["recent.1", "recent.2", "audit.retention"]);
    expect(await verifyAuditChain()).toMatchObject({ ok: true, events: 3 });
  });

  it("takes what it deletes off the sealer's counts per day, so they count only what is kept", async () => {
    const [C] = await insertCustomers(db.owner, [generateCustomerId()]);
    const event = (ago: number) =>
      db.owner.query(
        "insert into control.audit_events (tenant_id, action, outcome, at) values ($1, 'act', 'ok', now() - $2 * interval '1 hour')",
        [C, ago],
      );
    // Events over three days; a retention of one day cuts the three older than a day.
    for (const ago of [60, 50, 30, 20, 1]) await event(ago);
    await sealAuditEvents();
    await applyAuditRetention(db.database.ownerUrl, { days: 1 });
    const { rows } = await db.owner.query(
      `select d.day::text, d.events::int as counted,
              (select count(*)::int from control.audit_events e
                where e.tenant_id = d.chain and (e.at at time zone 'UTC')::date = d.day) as kept
         from control.audit_daily d where d.chain = $1 order by 1`,
      [C],
    );
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.map((r) => r.counted)).toEqual(rows.map((r) => r.kept));
    expect(rows.reduce((n, r) => n + r.kept, 0)).toBe(2);
  });
});

describe("chains per customer", () => {
  it("keeps each customer's chain and the platform's apart, each verifiable", async () => {
    const [C, D] = await insertCustomers(db.owner, [generateCustomerId(), generateCustomerId()]);
    const writeFor = (tenantId: string) =>
      withTenant({ tenantId }, (tx) =>
        tx.insert(auditEvents).values({ tenantId, action: "x", outcome: "ok" }),
      );
    await Promise.all([
      writeFor(C),
      writeFor(D),
      writeFor(C),
      writeFor(D),
      withPlatform(root, { action: "platform.x" }, async () => 1),
    ]);
    await sealAuditEvents();
    const { rows } = await db.owner.query(
      "select coalesce(tenant_id, '') as chain, array_agg(chain_seq order by chain_seq)::int[] as seqs from control.audit_events where tenant_id in ($1, $2) group by 1 order by 1",
      [C, D].sort(),
    );
    expect(rows.map((r) => r.seqs)).toEqual([
      [1, 2],
      [1, 2],
    ]);
    expect(await verifyAuditChain()).toMatchObject({ ok: true });

    // One chain verifies on its own: D's altered event breaks D's, not C's.
    expect(await verifyAuditChain({ chain: C })).toEqual({
      ok: true,
      events: 2,
      chains: 1,
      unsealed: 0,
    });
    await withoutAppendOnly(() =>
      db.owner.query(
        "update control.audit_events set action = 'y' where tenant_id = $1 and chain_seq = 2",
        [D],
      ),
    );
    expect(await verifyAuditChain({ chain: C })).toMatchObject({ ok: true });
    expect(await verifyAuditChain({ chain: D })).toMatchObject({
      ok: false,
      chain: D,
      brokenSeq: 2,
      reason: "its content does not match its hash",
    });
  });
});

describe("sealing", () => {
  it("takes no lock at insert: a writer whose transaction is still open holds back no other writer of its customer", async () => {
    const [E] = await insertCustomers(db.owner, [generateCustomerId()]);
    const writeFor = () =>
      withTenant({ tenantId: E }, (tx) =>
        tx.insert(auditEvents).values({ tenantId: E, action: "x", outcome: "ok" }),
      );
    const other = await whileAnInsertIsOpen(E, () =>
      Promise.race([
        writeFor().then(() => "written"),
        new Promise((resolve) => setTimeout(() => resolve("waited"), 3_000)),
      ]),
    );
    expect(other).toBe("written");
    expect(await verifyAuditChain({ chain: E })).toEqual({
      ok: true,
      events: 2,
      chains: 1,
      unsealed: 0,
    });
  });

  it("gives every event its place once: an insert cannot bring a seal, and a seal cannot be changed or carry a change", async () => {
    const [F] = await insertCustomers(db.owner, [generateCustomerId()]);
    await withPlatform(root, { action: "t" }, (tx) =>
      tx.execute(sql`insert into control.audit_events (tenant_id, action, outcome, chain_seq, prev_hash, hash)
                     values (${F}, 'forged', 'ok', 1, 'x', 'y')`),
    );
    const seal = async () =>
      (
        await db.owner.query(
          "select id, chain_seq, hash from control.audit_events where tenant_id = $1",
          [F],
        )
      ).rows[0];
    expect(await seal()).toMatchObject({ chain_seq: null, hash: null });
    const { id } = await seal();
    // The platform role may seal, but not with a change to the event.
    expect(
      await databaseError(
        withPlatform(root, { action: "t" }, (tx) =>
          tx.execute(
            sql`update control.audit_events set chain_seq = 1, hash = 'h', action = 'changed' where id = ${id}`,
          ),
        ),
      ),
    ).toMatch(/permission denied|append-only/);
    await sealAuditEvents();
    expect(await seal()).toMatchObject({ chain_seq: "1" });
    expect(
      await databaseError(
        withPlatform(root, { action: "t" }, (tx) =>
          tx.execute(sql`update control.audit_events set hash = 'other' where id = ${id}`),
        ),
      ),
    ).toMatch(/append-only/);
    expect(await verifyAuditChain({ chain: F })).toMatchObject({ ok: true, events: 1 });
  });

  it("seals chains written in turn, a few events a batch: each chain in id order, its head carried from batch to batch", async () => {
    const [G, H] = await insertCustomers(db.owner, [generateCustomerId(), generateCustomerId()]);
    await sealAuditEvents();
    for (let i = 0; i < 7; i++)
      for (const tenantId of [G, H])
        await withTenant({ tenantId }, (tx) =>
          tx.insert(auditEvents).values({ tenantId, action: `turn.${i}`, outcome: "ok" }),
        );
    expect(await sealAuditEvents(3)).toBe(14);
    for (const tenantId of [G, H]) {
      const { rows } = await db.owner.query(
        `select array_agg(e.chain_seq::int order by e.id) as positions,
                bool_and(e.prev_hash is not distinct from (select p.hash from control.audit_events p
                          where p.tenant_id = e.tenant_id and p.chain_seq = e.chain_seq - 1)) as linked,
                (select h.seq::int from control.audit_chain h where h.chain = $1) as head_seq,
                (select h.last_hash from control.audit_chain h where h.chain = $1) as head_hash,
                (array_agg(e.hash order by e.id desc))[1] as newest_hash
           from control.audit_events e where e.tenant_id = $1`,
        [tenantId],
      );
      expect(rows[0]).toMatchObject({
        positions: [1, 2, 3, 4, 5, 6, 7],
        linked: true,
        head_seq: 7,
        head_hash: rows[0].newest_hash,
      });
      expect(await verifyAuditChain({ chain: tenantId })).toMatchObject({ ok: true, events: 7 });
    }
  });

  it("lets a seal change no content column, even for the table's owner", async () => {
    const [J] = await insertCustomers(db.owner, [generateCustomerId()]);
    await withTenant({ tenantId: J }, (tx) =>
      tx.insert(auditEvents).values({ tenantId: J, action: "content", outcome: "ok" }),
    );
    // Each attempt is rolled back, so J's event is left unsealed whatever it shows.
    const sealWith = async (change: string) => {
      const client = await db.owner.connect();
      try {
        await client.query("begin");
        return await databaseError(
          client.query(
            `update control.audit_events set chain_seq = 1, hash = 'h', ${change} where tenant_id = $1`,
            [J],
          ),
        );
      } finally {
        await client.query("rollback");
        client.release();
      }
    };
    for (const change of [
      "details = '{\"x\": 1}'",
      "at = at - interval '1 day'",
      "action = 'other'",
      "tenant_id = null",
      "request_id = 'r'",
    ])
      expect(await sealWith(change)).toMatch(/append-only/);
    expect(await sealWith("prev_hash = null")).toBe("no error");
  });

  it("says when events were written after verify sealed", () => {
    expect(describeChain({ ok: true, events: 4, chains: 2, unsealed: 3 })).toBe(
      "The audit chains are intact: 4 events in 2 chains. 3 events were written after sealing and are not sealed yet; the next verify proves them.",
    );
  });
});
