// A customer's data as one unit (issue #15, first part): A and B with rows in all 32 sample
// tables after adoption. A's archive holds exactly A's rows and none of B's; a clone of A as C
// equals A except the customer; a damaged archive, or one that does not fit the schema, is
// refused with a sentence and nothing is written.
import { createHash } from "node:crypto";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { withOwnerClient } from "@/db/owner";
import { withTenant } from "@/db/tenant";
import { generateSample } from "@/db/sample/generate";
import { freshTestDatabase, insertCustomers, insertUser } from "@/db/test/fixture";
import { runAdoption } from "../adoption/run";
import { generateCustomerId, LEGACY_CUSTOMER_ID } from "../customers/ids";
import type { Manifest } from "./archive";
import { exportCustomer } from "./export";
import { eraseCustomer } from "./erase";
import { restoreCustomer } from "./restore";
import { contentsOf } from "./test/contents";

const db = freshTestDatabase();
const url = () => db.database.ownerUrl;
const A = LEGACY_CUSTOMER_ID;
let B: string;
let folder: string;
let archiveOfA: string;
let manifestOfA: Manifest & { sha256: string };

const contents = (customer: string) => contentsOf(url(), customer);
const ofManifest = (m: Manifest) =>
  Object.fromEntries(
    m.tables.map((t) => [`${t.schema}.${t.table}`, { rows: t.rows, checksum: t.checksum }]),
  );

beforeAll(async () => {
  await generateSample(url(), { rows: 5_000 });
  const adopted = await runAdoption(url(), { schema: "app" });
  if (!adopted.ok) throw new Error(adopted.instructions);
  folder = await mkdtemp(path.join(tmpdir(), "tenantry-portability-test-"));
  archiveOfA = path.join(folder, "a.tar.gz");
  manifestOfA = await exportCustomer(url(), A, archiveOfA, { by: "test" });
  // B: a clone of A whose users are renamed, so B's rows can be told from A's.
  [B] = await insertCustomers(db.owner, [generateCustomerId()]);
  await restoreCustomer(url(), archiveOfA, { by: "test", as: B });
  await db.owner.query("update app.users set name = 'B-only ' || id where tenant_id = $1", [B]);
}, 120_000);

describe("a customer's export", () => {
  it("holds every table of the data plane with A's rows and their checksums", async () => {
    expect(manifestOfA.tables).toHaveLength(32);
    expect(manifestOfA.customer.id).toBe(A);
    expect(ofManifest(manifestOfA)).toEqual(await contents(A));
    expect(manifestOfA.tables.every((t) => t.rows > 0)).toBe(true);
    expect(manifestOfA.control.file).toBe("control.json");
    // The SHA-256 recorded is the file's (gzipped, as its name says).
    const bytes = await readFile(archiveOfA);
    expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(manifestOfA.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
  });

  it("holds none of B's rows: an export of B has B's, and A's archive not one of them", async () => {
    const archiveOfB = path.join(folder, "b.tar.gz");
    const manifestOfB = await exportCustomer(url(), B, archiveOfB, { by: "test" });
    expect(ofManifest(manifestOfB)).toEqual(await contents(B));
    const bytes = gunzipSync(await readFile(archiveOfA)).toString("latin1");
    expect(bytes).not.toContain("B-only");
    expect(gunzipSync(await readFile(archiveOfB)).toString("latin1")).toContain("B-only");
  });

  it("of a customer that does not exist is refused, leaves no file, and is a failed job", async () => {
    const nobody = generateCustomerId();
    const file = path.join(folder, "nobody.tar.gz");
    await expect(exportCustomer(url(), nobody, file, { by: "test" })).rejects.toThrow(
      `There is no customer ${nobody}.`,
    );
    await expect(readFile(file)).rejects.toThrow(/ENOENT/);
    expect(await jobsOf(nobody)).toMatchObject([{ kind: "export", status: "failed" }]);
  });
});

describe("a restore", () => {
  it("as C is a clone: C's rows equal A's but for the customer, and A and B are unchanged", async () => {
    const before = { a: await contents(A), b: await contents(B) };
    const C = generateCustomerId();
    const result = await restoreCustomer(url(), archiveOfA, { by: "test", as: C });
    expect(result).toMatchObject({ customer: C, created: true });
    expect(await contents(C)).toEqual(ofManifest(manifestOfA));
    expect(await contents(A)).toEqual(before.a);
    expect(await contents(B)).toEqual(before.b);
    const { rows } = await db.owner.query("select name from control.customers where id = $1", [C]);
    expect(rows[0].name).toMatch(/ \(copy\)$/);
  });

  it("refuses a customer that has rows, unless asked to replace them; replaced, it equals the manifest", async () => {
    const before = await contents(A);
    await expect(restoreCustomer(url(), archiveOfA, { by: "test" })).rejects.toThrow(
      new RegExp(`^${A} has rows already in 32 tables \\(app\\.`),
    );
    expect(await contents(A)).toEqual(before);
    await db.owner.query("delete from app.sync_conflicts where tenant_id = $1", [A]);
    const result = await restoreCustomer(url(), archiveOfA, { by: "test", replace: true });
    expect(result.customer).toBe(A);
    expect(await contents(A)).toEqual(ofManifest(manifestOfA));
  });

  it("refuses a cut-short archive and a flipped byte with a sentence, and writes nothing", async () => {
    const D = generateCustomerId();
    const whole = await readFile(archiveOfA);
    const cut = path.join(folder, "cut.tar.gz");
    await writeFile(cut, whole.subarray(0, Math.floor(whole.length / 2)));
    await expect(restoreCustomer(url(), cut, { by: "test", as: D })).rejects.toThrow(
      /^cut\.tar\.gz is not a readable customer archive \(.*\): it is damaged or cut short\. Nothing was written\.$/,
    );
    // A byte changed inside a table's file, the archive otherwise intact: the checksum catches it.
    const tar = gunzipSync(whole);
    const at = tar.indexOf("\n", tar.length / 2) + 1;
    tar[at] = tar[at] === 0x41 ? 0x42 : 0x41;
    const flipped = path.join(folder, "flipped.tar.gz");
    await writeFile(flipped, gzipSync(tar));
    await expect(restoreCustomer(url(), flipped, { by: "test", as: D })).rejects.toThrow(
      /^app\.\w+ in the archive has \d+ rows with checksum \w+; its manifest says \d+ rows with checksum \w+: the archive is damaged\. Nothing was written\.$/,
    );
    const { rows } = await db.owner.query(
      "select count(*)::int as n from control.customers where id = $1",
      [D],
    );
    expect(rows[0].n).toBe(0);
  });

  it("refuses an archive from a schema missing a column, naming the table and the column", async () => {
    const D = generateCustomerId();
    await db.owner.query(
      "alter table app.gift_cards add column issued_by text not null default 'x'",
    );
    await db.owner.query("alter table app.gift_cards alter column issued_by drop default");
    try {
      await expect(restoreCustomer(url(), archiveOfA, { by: "test", as: D })).rejects.toThrow(
        "The archive does not fit this database: app.gift_cards.issued_by is required here (NOT NULL, no default) and missing from the archive. Nothing was written.",
      );
    } finally {
      await db.owner.query("alter table app.gift_cards drop column issued_by");
    }
    const { rows } = await db.owner.query(
      "select count(*)::int as n from control.customers where id = $1",
      [D],
    );
    expect(rows[0].n).toBe(0);
  });
});

describe("an erase", () => {
  it("refuses a customer that is not in offboarding, and one without a recent export", async () => {
    await expect(eraseCustomer(url(), B, { by: "test" })).rejects.toThrow(
      new RegExp(
        `^Customer ${B} \\(${B}\\) is active: only a customer in offboarding can be erased`,
      ),
    );
    const F = generateCustomerId();
    await restoreCustomer(url(), archiveOfA, { by: "test", as: F });
    await db.owner.query("update control.customers set status = 'offboarding' where id = $1", [F]);
    await expect(eraseCustomer(url(), F, { by: "test" })).rejects.toThrow(
      /has no export from the last 7 days: export it first \(npm run customer -- export \w+\), or erase without one \(--without-export\)\. Nothing was erased\.$/,
    );
    expect(Object.values(await contents(F)).every((t) => t.rows > 0)).toBe(true);
  });

  it("after an export, erases every row of the customer and nothing of anyone else's, with a certificate that matches", async () => {
    const E = generateCustomerId();
    await restoreCustomer(url(), archiveOfA, { by: "test", as: E });
    const exported = await exportCustomer(url(), E, path.join(folder, "e.tar.gz"), { by: "test" });
    const member = await insertUser(db.owner, {
      email: `member@${E.toLowerCase()}.example`,
      tenantId: E,
    });
    // An API key of E's and a metered event: they go with it.
    await db.owner.query(
      `insert into control.api_keys (tenant_id, name, prefix, secret_hash, scopes, created_by)
         values ($1, 'k', 'tnt_erasetest00', repeat('0', 64), array['usage:read'], 'test')`,
      [E],
    );
    await db.owner.query(
      "insert into control.usage_events (tenant_id, event_id, kind, quantity, occurred_at) values ($1, 'e', 'sms', 1, now())",
      [E],
    );
    // Its size as the snapshot keeps it.
    await asCustomer(
      E,
      "insert into control.usage_sizes (tenant_id, taken_at, rows) values ($1, now(), 9)",
      [E],
    );
    await db.owner.query("update control.customers set status = 'offboarding' where id = $1", [E]);
    const before = { a: await contents(A), b: await contents(B), e: await contents(E) };

    const certificate = await eraseCustomer(url(), E, { by: "test", batch: 50 });
    expect(Object.values(await contents(E)).every((t) => t.rows === 0)).toBe(true);
    expect(await contents(A)).toEqual(before.a);
    expect(await contents(B)).toEqual(before.b);
    expect(
      Object.fromEntries(certificate.tables.map((t) => [`${t.schema}.${t.table}`, t.before])),
    ).toEqual(Object.fromEntries(Object.entries(before.e).map(([t, c]) => [t, c.rows])));
    expect(certificate.tables.every((t) => t.after === 0)).toBe(true);
    expect(certificate.export?.sha256).toBe(exported.sha256);
    expect(certificate.controlPlane).toMatchObject({
      memberships: 1,
      users: 1,
      apiKeys: 1,
      usageEvents: 1,
    });
    const { rows: users } = await db.owner.query("select 1 from control.users where id = $1", [
      member,
    ]);
    expect(users).toEqual([]);
    expect(
      await asCustomer(E, "select 1 from control.usage_sizes where tenant_id = $1", [E]),
    ).toEqual([]);
    // The metered event's month total went with it.
    expect(
      await asCustomer(E, "select 1 from control.usage_event_totals where tenant_id = $1", [E]),
    ).toEqual([]);

    const { rows } = await db.owner.query(
      `select c.status, c.contact_email, (select count(*)::int from control.erasures e where e.tenant_id = c.id) as certificates,
              (select count(*)::int from control.audit_events a where a.tenant_id = c.id and a.action = 'customers.erase') as events
         from control.customers c where c.id = $1`,
      [E],
    );
    expect(rows[0]).toEqual({
      status: "erased",
      contact_email: "erased@example.invalid",
      certificates: 1,
      events: 1,
    });
  });
});

/** A statement as the owner in `tenantId`'s context (usage_sizes is under forced RLS). */
async function asCustomer(tenantId: string, text: string, values: unknown[]) {
  const client = await db.owner.connect();
  try {
    await client.query("begin");
    await client.query("select set_config('app.tenant_id', $1, true)", [tenantId]);
    const { rows } = await client.query(text, values);
    await client.query("commit");
    return rows;
  } finally {
    await client.query("rollback").catch(() => undefined);
    client.release();
  }
}

/** The customer's jobs, newest first. */
async function jobsOf(customer: string) {
  const { rows } = await db.owner.query(
    "select id, tenant_id, kind, status, step, progress, error from control.data_jobs where tenant_id = $1 order by started_at desc",
    [customer],
  );
  return rows;
}

describe("recorded jobs", () => {
  it("an export is a job with every table's progress, its end on the customer's trail; a plain tar restores", async () => {
    const file = path.join(folder, "b.tar");
    const manifest = await exportCustomer(url(), B, file, { by: "test" });
    expect((await readFile(file)).subarray(0, 2)).not.toEqual(Buffer.from([0x1f, 0x8b]));
    expect(manifest.sha256).toBe(
      createHash("sha256")
        .update(await readFile(file))
        .digest("hex"),
    );
    const [job] = await jobsOf(B);
    expect(job).toMatchObject({ kind: "export", status: "succeeded", step: "done", error: null });
    expect(job.progress).toEqual(
      manifest.tables.map((t) => ({
        table: `${t.schema}.${t.table}`,
        rows: t.rows,
        of: null,
        state: "done",
      })),
    );
    const { rows: events } = await db.owner.query(
      "select outcome, actor_role, details from control.audit_events where action = 'jobs.export' and target_id = $1 and tenant_id = $2",
      [job.id, B],
    );
    expect(events).toEqual([
      {
        outcome: "ok",
        actor_role: "test",
        details: expect.objectContaining({ rows: manifest.tables.reduce((n, t) => n + t.rows, 0) }),
      },
    ]);
    const G = generateCustomerId();
    await restoreCustomer(url(), file, { by: "test", as: G });
    expect(await contents(G)).toEqual(await contents(B));
    const [restored] = await jobsOf(G);
    expect(restored).toMatchObject({ kind: "restore", status: "succeeded" });
    expect(restored.progress.every((t: { rows: number; of: number }) => t.rows === t.of)).toBe(
      true,
    );
  });

  it("a failed restore is a failed job with its sentence and the step it failed in, audited", async () => {
    await expect(restoreCustomer(url(), archiveOfA, { by: "test" })).rejects.toThrow(
      /has rows already/,
    );
    const [job] = await jobsOf(A);
    expect(job).toMatchObject({
      kind: "restore",
      status: "failed",
      step: "failed while loading the archive's tables",
    });
    expect(job.error).toMatch(/^\w+ has rows already in 32 tables/);
    const { rows } = await db.owner.query(
      "select outcome from control.audit_events where action = 'jobs.restore' and target_id = $1",
      [job.id],
    );
    expect(rows).toEqual([{ outcome: "failed" }]);
  });

  it("a customer's jobs are invisible and unwritable under another customer's setting, and the tenant role has none", async () => {
    expect((await jobsOf(A)).length).toBeGreaterThan(0);
    expect((await jobsOf(B)).length).toBeGreaterThan(0);
    // The policy, for an owner that is not a superuser: a role without BYPASSRLS, given the
    // owner's rights for the length of a transaction that is rolled back.
    await withOwnerClient(url(), async (client) => {
      await client.query("begin");
      try {
        await client.query(
          "grant select, insert, update, delete on control.data_jobs to tenantry_tenant",
        );
        await client.query("set local role tenantry_tenant");
        await client.query("select set_config('app.tenant_id', $1, true)", [A]);
        const { rows } = await client.query("select distinct tenant_id from control.data_jobs");
        expect(rows).toEqual([{ tenant_id: A }]);
        const updated = await client.query(
          "update control.data_jobs set step = 'x' where tenant_id = $1",
          [B],
        );
        expect(updated.rowCount).toBe(0);
        await expect(
          client.query(
            "insert into control.data_jobs (tenant_id, kind, started_by) values ($1, 'export', 'x')",
            [B],
          ),
        ).rejects.toThrow(/row-level security/);
      } finally {
        await client.query("rollback");
      }
    });
    const denied = await withTenant({ tenantId: A }, (tx) =>
      tx.execute(sql`select * from control.data_jobs`),
    ).then(
      () => "read",
      (e: Error) => ((e.cause as Error | undefined) ?? e).message,
    );
    expect(denied).toBe("permission denied for table data_jobs");
  });
});
