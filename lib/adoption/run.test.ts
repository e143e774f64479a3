// Adoption of the sample (≈ 100 000 rows): failures leave nothing behind, a run isolates all 32
// tables and keeps every row, customer B sees and changes none of LEGACY001's rows, and a revert
// brings back the exact catalog and data.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { generateSample } from "@/db/sample/generate";
import { insertCustomers, freshTestDatabase } from "@/db/test/fixture";
import { generateCustomerId } from "../customers/ids";
import { withSystem, withTenant } from "@/db/tenant";
import { introspect } from "./introspect";
import { planAdoption } from "./plan";
import { runAdoption, runRevert, runVerification } from "./run";
import { startWriter } from "./test/writer";
import { fingerprint } from "./test/fingerprint";

const db = freshTestDatabase();
/** The database's own message of a failed query (drizzle wraps it), or "ok". */
const failure = (work: Promise<unknown>) =>
  work.then(
    () => "ok",
    (e: Error & { cause?: Error }) => e.cause?.message ?? e.message,
  );
const url = () => db.database.ownerUrl;

beforeAll(() => generateSample(db.database.ownerUrl, { rows: 100_000 }), 120_000);

describe("a failed adoption", () => {
  // One step of each phase and each kind: inside a transaction (rolled back), after a phase
  // committed (undone), and after the lock window committed (the down migration).
  for (const failAfter of [
    "add column",
    "build indexes concurrently",
    "tenant-scoped keys",
    "composite foreign keys",
    "row-level security",
    "validate foreign keys",
    "verify",
  ]) {
    it(`injected after "${failAfter}" leaves the schema and data exactly as before, and says so`, async () => {
      const before = await fingerprint(db, "app");
      const result = await runAdoption(url(), { schema: "app", failAfter });
      expect(result).toMatchObject({ ok: false, step: failAfter });
      expect(await fingerprint(db, "app")).toEqual(before);
      const { rows } = await db.owner.query(
        "select status, failed_step, error, instructions from control.adoption_runs where id = $1",
        [result.runId],
      );
      expect(rows[0]).toMatchObject({
        status: "failed",
        failed_step: failAfter,
        error: `injected failure after ${failAfter}`,
      });
      expect(rows[0].instructions).toMatch(/^Nothing changed: .* rolled back.*run it again\.$/);
      const { rows: steps } = await db.owner.query(
        "select step, outcome from control.adoption_steps where run_id = $1 order by started_at, step",
        [result.runId],
      );
      expect(steps.find((s) => s.step === failAfter)?.outcome).toBe("failed");
      expect(
        steps.filter((s) => s.step !== failAfter).every((s) => s.outcome === "rolled back"),
      ).toBe(true);
    });
  }
});

describe("an adoption of the sample", () => {
  let before: Awaited<ReturnType<typeof fingerprint>>;
  const A = "LEGACY001";
  let B: string;

  beforeAll(async () => {
    before = await fingerprint(db, "app");
    [B] = await insertCustomers(db.owner, [generateCustomerId()]);
  });

  it("starts all red: verify finds 32 tables not isolated", async () => {
    const result = await runVerification(url(), { schema: "app" });
    expect(result.ok && result.report.summary).toMatchObject({
      total: 32,
      isolated: 0,
      notIsolated: 32,
    });
    expect(result.ok && result.report.ok).toBe(false);
  });

  it("runs, verifies all 32 tables green, and keeps every row and its content", async () => {
    const started: string[] = [];
    const result = await runAdoption(url(), { schema: "app", onStart: (id) => started.push(id) });
    if (!result.ok) throw new Error(result.instructions);
    expect(started).toEqual([result.runId]);
    expect(result.report.summary).toMatchObject({
      total: 32,
      isolated: 32,
      partial: 0,
      notIsolated: 0,
    });
    expect(result.report.probe).toMatchObject({ ok: true, ofCustomer: A });
    const users = result.report.tables.find((t) => t.table === "users")!;
    expect(users).toMatchObject({
      state: "isolated",
      notNull: true,
      defaultFromSetting: true,
      indexed: true,
      rlsForced: true,
      policy: true,
      nullTenants: 0,
      crossTenantRefs: 0,
      customers: 1,
    });
    const lines = result.report.tables.find((t) => t.table === "work_order_lines")!;
    expect(lines.foreignKeys).toEqual({ total: 2, composite: 2 });

    const after = await fingerprint(db, "app");
    expect(after.data).toEqual(before.data);
    expect(after.catalog).not.toEqual(before.catalog);
    const { rows } = await db.owner.query(
      "select status, kind, before_catalog is not null as kept from control.adoption_runs where id = $1",
      [result.runId],
    );
    expect(rows[0]).toEqual({ status: "succeeded", kind: "adopt", kept: true });
    // The existing rows' owner is a customer now.
    const { rows: legacy } = await db.owner.query(
      "select status from control.customers where id = $1",
      [A],
    );
    expect(legacy).toEqual([{ status: "active" }]);
  });

  it("shows customer B none of LEGACY001's rows in any of the 32 tables, and lets B change none", async () => {
    const { rows: tables } = await db.owner.query<{ tablename: string }>(
      "select tablename from pg_tables where schemaname = 'app'",
    );
    expect(tables).toHaveLength(32);
    const seenByB = await withTenant(
      { tenantId: B },
      async (tx) => {
        let seen = 0;
        for (const { tablename } of tables)
          seen += Number(
            (
              await tx.execute(
                sql`select count(*) as n from ${sql.identifier("app")}.${sql.identifier(tablename)}`,
              )
            ).rows[0].n,
          );
        return seen;
      },
      { readOnly: true },
    );
    expect(seenByB).toBe(0);
    const changed = await withTenant(
      { tenantId: B },
      async (tx) =>
        (await tx.execute(sql`update app.users set name = 'taken' where id = 1`)).rowCount,
    );
    expect(changed).toBe(0);
    expect(
      await failure(
        withTenant({ tenantId: B }, (tx) =>
          tx.execute(
            sql`insert into app.users (id, email, name, role, password_hash, created_at, tenant_id) values (1, 'x@y', 'x', 'cashier', 'x', now(), ${A})`,
          ),
        ),
      ),
    ).toMatch(/row-level security/);
  });

  it("refuses, through the composite foreign key, a row pointing at another customer's parent", async () => {
    // As B, customer 1 (LEGACY001's) does not exist: the key is (tenant_id, customer_id).
    expect(
      await failure(
        withTenant({ tenantId: B }, (tx) =>
          tx.execute(
            sql`insert into app.work_orders (id, number, customer_id, status, opened_at) values (999999, 'B-1', 1, 'open', now())`,
          ),
        ),
      ),
    ).toMatch(/foreign key/);
    // Even the owner, who bypasses RLS, cannot write the cross-customer reference.
    await expect(
      db.owner.query(
        "insert into app.work_orders (tenant_id, id, number, customer_id, status, opened_at) values ($1, 999999, 'B-1', 1, 'open', now())",
        [B],
      ),
    ).rejects.toThrow(/foreign key/);
  });

  it("makes users.email unique per customer, not globally", async () => {
    const { rows } = await db.owner.query("select email from app.users where id = 1");
    const email = rows[0].email as string;
    // B may use LEGACY001's email; a second one inside B is refused. New rows take the tenant from the setting.
    await withTenant({ tenantId: B }, (tx) =>
      tx.execute(
        sql`insert into app.users (id, email, name, role, password_hash, created_at) values (1, ${email}, 'b', 'cashier', 'x', now())`,
      ),
    );
    expect(
      await failure(
        withTenant({ tenantId: B }, (tx) =>
          tx.execute(
            sql`insert into app.users (id, email, name, role, password_hash, created_at) values (2, ${email}, 'b', 'cashier', 'x', now())`,
          ),
        ),
      ),
    ).toMatch(/unique/);
  });

  it("refuses to revert while another customer owns rows: dropping the column would merge them", async () => {
    const before = await fingerprint(db, "app");
    const result = await runRevert(url(), { schema: "app" });
    expect(result.ok === false && result.error).toMatch(
      /^1 rows of app\.users belong to customers other than LEGACY001/,
    );
    expect(await fingerprint(db, "app")).toEqual(before);
    await db.owner.query("delete from app.users where tenant_id = $1", [B]);
  });

  it("refuses to adopt again: every table has the column already", async () => {
    const again = await runAdoption(url(), { schema: "app" });
    expect(again.ok === false && again.error).toMatch(/looks adopted already/);
  });

  it("reverts to the exact catalog and data it started from, verified and recorded", async () => {
    const result = await runRevert(url(), { schema: "app" });
    if (!result.ok) throw new Error(result.instructions);
    expect(await fingerprint(db, "app")).toEqual(before);
    expect(result.report.summary).toMatchObject({ isolated: 0, notIsolated: 32 });
    const { rows } = await db.owner.query(
      "select kind, status from control.adoption_runs where id = $1",
      [result.runId],
    );
    expect(rows[0]).toEqual({ kind: "revert", status: "succeeded" });
    const twice = await runRevert(url(), { schema: "app" });
    expect(twice.ok === false && twice.error).toMatch(/no adoption to revert/);
  });

  it("lets one run at a time hold the lock; another is refused and recorded", async () => {
    const holder = await db.owner.connect();
    try {
      await holder.query("select pg_advisory_lock(hashtext('tenantry.adoption'))");
      const refused = await runAdoption(url(), { schema: "app" });
      expect(refused).toMatchObject({
        ok: false,
        step: "start",
        error: "another run is in progress",
      });
      const { rows } = await db.owner.query(
        "select status, instructions from control.adoption_runs where id = $1",
        [refused.runId],
      );
      expect(rows[0].instructions).toMatch(/^Nothing changed: another/);
      expect(await fingerprint(db, "app")).toEqual(before);
    } finally {
      await holder.query("select pg_advisory_unlock_all()");
      holder.release();
    }
  });
});

describe("the lock window", () => {
  it("keeps a concurrent writer waiting at most while the catalog changes: the heavy work is outside the lock", async () => {
    const tables = await withSystem("adoption", (tx) => introspect(tx, "app"), { readOnly: true });
    const plan = planAdoption("app", tables);
    const locked = plan.steps.filter((s) => s.phase === "prepare" || s.phase === "locked");
    // No statement that reads the rows runs while the tables are locked: indexes are built
    // before, and foreign keys are checked after.
    for (const statement of locked.flatMap((s) => s.statements)) {
      expect(statement).not.toMatch(/^create (unique )?index/i);
      if (/foreign key/.test(statement)) expect(statement).toMatch(/ not valid$/);
      if (/ add constraint .* (primary key|unique) /.test(statement))
        expect(statement).toMatch(/using index/);
    }

    const writer = startWriter(url(), "LEGACY001");
    await new Promise((resolve) => setTimeout(resolve, 200));
    const result = await runAdoption(url(), { schema: "app" });
    const wrote = await writer.stop();
    if (!result.ok) throw new Error(result.instructions);
    expect(wrote.errors).toEqual([]);
    const { rows } = await db.owner.query<{ step: string; ms: number }>(
      "select step, ms from control.adoption_steps where run_id = $1",
      [result.runId],
    );
    const lockedNames = new Set(locked.map((s) => s.name));
    const window = rows.filter((r) => lockedNames.has(r.step)).reduce((n, r) => n + r.ms, 0);
    const all = rows.reduce((n, r) => n + r.ms, 0);
    // The writer waits for the two short transactions (plus their commits), not for the run.
    expect(wrote.longestMs).toBeLessThan(window + 250);
    expect(window).toBeLessThan(all);

    // The writer's rows are the legacy customer's, and the revert still restores the catalog.
    const reverted = await runRevert(url(), { schema: "app" });
    if (!reverted.ok) throw new Error(reverted.instructions);
  });

  it("gives way to a transaction that holds a child and then reads its parent: no deadlock", async () => {
    const app = await db.owner.connect();
    try {
      // The application's transaction holds the child (as a write there does) ...
      await app.query("begin");
      await app.query("lock table app.inventory_transactions in row exclusive mode");
      const run = runAdoption(url(), { schema: "app" });
      // ... while the run comes for its tables ...
      await expect
        .poll(
          async () =>
            (
              await db.owner.query(
                "select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
              )
            ).rows[0].n,
          { timeout: 10_000, interval: 5 },
        )
        .toBeGreaterThan(0);
      // ... and then reads the parent, which the run would hold had it taken the tables one by one.
      expect(await failure(app.query("select count(*) from app.inventory"))).toBe("ok");
      await app.query("commit");
      const result = await run;
      if (!result.ok) throw new Error(result.instructions);
    } finally {
      await app.query("rollback").catch(() => undefined);
      app.release();
    }
    const reverted = await runRevert(url(), { schema: "app" });
    if (!reverted.ok) throw new Error(reverted.instructions);
  });
});
