// Readers in the owner's snapshot: what a verification reads side by side is one consistent state.
import { describe, expect, it } from "vitest";
import { inOwnerTransaction, withSnapshotReaders } from "./owner";
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
