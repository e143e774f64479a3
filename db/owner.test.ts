// Readers in the owner's snapshot: what a verification reads side by side is one consistent
// state. Kept clients: a connection used again carries nothing of its last use over.
import type pg from "pg";
import { describe, expect, it } from "vitest";
import { inOwnerTransaction, withKeptOwnerClient, withSnapshotReaders } from "./owner";
import { freshTestDatabase } from "./test/fixture";

const db = freshTestDatabase();

describe("withSnapshotReaders", () => {
  it("gives each reader the transaction's snapshot, not what committed after it, and only reads", async () => {
    await db.owner.query(
      "create table public.snap (n int); insert into public.snap values (1), (2)",
    );
    const seen = await inOwnerTransaction(db.database.ownerUrl, async (client) => {
      await client.query("set transaction isolation level repeatable read");
      return withSnapshotReaders(db.database.ownerUrl, client, 2, async (readers) => {
        await db.owner.query("insert into public.snap values (3)"); // committed after the snapshot
        const counts = await Promise.all(
          [client, ...readers].map(
            async (c) => (await c.query("select count(*)::int as n from public.snap")).rows[0].n,
          ),
        );
        const write = await readers[0].query("insert into public.snap values (4)").then(
          () => "written",
          (error: Error) => error.message,
        );
        return { counts, write };
      });
    });
    expect(seen).toEqual({
      counts: [2, 2, 2],
      write: "cannot execute INSERT in a read-only transaction",
    });
    expect((await db.owner.query("select count(*)::int as n from public.snap")).rows[0].n).toBe(3);
  });
});

describe("withKeptOwnerClient", () => {
  const session = (c: pg.Client) =>
    c
      .query<{
        pid: number;
        role: string;
        login: string;
        tenant: string | null;
        temp: string | null;
        locks: number;
      }>(
        `select pg_backend_pid() as pid, current_user as role, session_user as login,
                current_setting('app.tenant_id', true) as tenant, to_regclass('pg_temp.left_behind')::text as temp,
                (select count(*)::int from pg_locks where locktype = 'advisory' and pid = pg_backend_pid()) as locks`,
      )
      .then((r) => r.rows[0]);

  it("uses the connection again, with nothing of its last use: transaction, role, setting, lock, temporary table", async () => {
    const url = db.database.ownerUrl;
    await db.owner.query("create table public.kept (n int)");
    const first = await withKeptOwnerClient(url, async (c) => {
      await c.query("create temporary table left_behind (n int)");
      await c.query("select set_config('app.tenant_id', 'LEGACY001', false), pg_advisory_lock(42)");
      await c.query("begin");
      await c.query("insert into public.kept values (1)");
      await c.query("set role tenantry_platform");
      return session(c);
    });
    expect(first).toMatchObject({ role: "tenantry_platform", tenant: "LEGACY001", locks: 1 });
    const again = await withKeptOwnerClient(url, session);
    expect(again).toEqual({
      pid: first.pid,
      role: again.login,
      login: again.login,
      tenant: "",
      temp: null,
      locks: 0,
    });
    // The transaction it left open was rolled back, not committed.
    expect((await db.owner.query("select count(*)::int as n from public.kept")).rows[0].n).toBe(0);
  });

  it("closes a connection it cannot reset, and the next use gets a new one", async () => {
    const url = db.database.ownerUrl;
    const lost = await withKeptOwnerClient(url, async (c) => {
      const { pid } = await session(c);
      await c.query("select pg_terminate_backend(pg_backend_pid())").catch(() => undefined);
      return pid;
    });
    const next = await withKeptOwnerClient(url, session);
    expect(next.pid).not.toBe(lost);
    expect(next.locks).toBe(0);
  });
});
