// A customer's archive of a schema as real ones are (Philomena's forums, Sourcegraph's batch
// changes): two tables that point at one another, a table that points into that cycle and sorts
// before it by name, a trigger that logs each insert into another table, an identity column
// GENERATED ALWAYS and a stored generated column, a table with no column of its own. The clone
// equals the original, its log is not written twice, its row counters are right, and an archive
// whose rows point at rows it does not have is refused with nothing written.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { withOwnerClient } from "@/db/owner";
import { freshTestDatabase, insertCustomers } from "@/db/test/fixture";
import { runAdoption } from "../adoption/run";
import { generateCustomerId, LEGACY_CUSTOMER_ID } from "../customers/ids";
import { customerRowCounts } from "../usage/counters";
import { eraseCustomer } from "./erase";
import { exportCustomer } from "./export";
import { restoreCustomer } from "./restore";
import { customerTables } from "./tables";
import { contentsOf, emptyOf } from "./test/contents";

const db = freshTestDatabase();
const url = () => db.database.ownerUrl;
const A = LEGACY_CUSTOMER_ID;
let folder: string;
/** The clone of A the restore makes. */
let C: string;

const contents = (customer: string) => contentsOf(url(), customer);

beforeAll(async () => {
  await db.owner.query(`
    create schema shop;
    create table shop.topics (id int primary key, title text not null, last_post_id int);
    create table shop.posts (id int primary key, topic_id int not null references shop.topics, body text,
                             size int generated always as (length(body)) stored);
    alter table shop.topics add foreign key (last_post_id) references shop.posts;
    create table shop.attachments (id int primary key, post_id int not null references shop.posts, name text);
    create table shop.post_log (id bigint generated always as identity primary key, post_id int not null);
    create function shop.log_post() returns trigger language plpgsql as $$
      begin insert into shop.post_log (post_id) values (new.id); return new; end $$;
    create trigger posts_logged after insert on shop.posts for each row execute function shop.log_post();
    -- A trigger that notes each deleted topic in a table erased before topics (its child).
    create table shop.deletions (id bigint generated always as identity primary key, topic_id int references shop.topics, what text);
    create function shop.note_deletion() returns trigger language plpgsql as $$
      begin insert into shop.deletions (what) values ('topic ' || old.id); return old; end $$;
    create trigger topics_noted after delete on shop.topics for each row execute function shop.note_deletion();
    insert into shop.topics values (1, 'Welcome', null), (2, 'Rules', null);
    insert into shop.posts values (10, 1, 'hello'), (11, 1, 'again'), (20, 2, 'be kind');
    update shop.topics set last_post_id = case id when 1 then 11 else 20 end;
    insert into shop.attachments values (1, 10, 'a.png'), (2, 20, 'b.png');
    -- A table with no column of its own (PostgREST's test schema has one): rows only counted.
    create table shop.marks ();
    insert into shop.marks select from generate_series(1, 3);`);
  const adopted = await runAdoption(url(), { schema: "shop" });
  if (!adopted.ok) throw new Error(adopted.instructions);
  folder = await mkdtemp(path.join(tmpdir(), "tenantry-portability-constructs-"));
}, 60_000);

describe("an archive of tables in a cycle, with a trigger", () => {
  it("orders a table that points into a cycle after the cycle's table it points at", async () => {
    // Before, a cycle put every table left in the order of its name: attachments before posts.
    const order = await withOwnerClient(url(), async (client) =>
      (await customerTables(client)).map((t) => t.table),
    );
    expect(order.indexOf("attachments")).toBeGreaterThan(order.indexOf("posts"));
  });

  it("restores a clone equal to the original: the log not written twice, the counters right", async () => {
    const archive = path.join(folder, "a.tar.gz");
    await exportCustomer(url(), A, archive, { by: "test" });
    [C] = await insertCustomers(db.owner, [generateCustomerId()]);
    await restoreCustomer(url(), archive, { by: "test", as: C });
    const [original, clone] = [await contents(A), await contents(C)];
    expect(clone).toEqual(original);
    expect(clone["shop.post_log"].rows).toBe(3);
    // The usage counters count the clone's rows, though no counting trigger ran.
    await withOwnerClient(url(), async (client) => {
      const tables = await customerTables(client);
      expect(await customerRowCounts(client, tables, C)).toEqual(
        tables.map((t) => clone[`${t.schema}.${t.table}`].rows),
      );
    });
  });

  it("refuses an archive whose rows point at rows it does not have, and writes nothing", async () => {
    // A's topic 2 points at a post that is gone (only replica mode lets that happen).
    await db.owner.query(
      "begin; set local session_replication_role = replica; delete from shop.posts where id = 20; delete from shop.attachments where post_id = 20; delete from shop.post_log where post_id = 20; commit",
    );
    const archive = path.join(folder, "broken.tar.gz");
    await exportCustomer(url(), A, archive, { by: "test" });
    const [D] = await insertCustomers(db.owner, [generateCustomerId()]);
    await expect(restoreCustomer(url(), archive, { by: "test", as: D })).rejects.toThrow(
      /^Rows of the archive point at rows it does not have: shop\.topics's topics_last_post_id_fkey \(1 rows\)\. The restore was rolled back\.$/,
    );
    expect(emptyOf(await contents(D))).toBe(true);
  });

  it("erases the clone whole: no trigger writes a row back, the cycle goes, the counts are none", async () => {
    await db.owner.query("update control.customers set status = 'offboarding' where id = $1", [C]);
    const certificate = await eraseCustomer(url(), C, { by: "test", withoutExport: true });
    expect(certificate.tables.filter((t) => t.before > 0).map((t) => t.table)).toEqual(
      expect.arrayContaining(["topics", "posts", "attachments", "post_log"]),
    );
    expect(certificate.tables.every((t) => t.after === 0)).toBe(true);
    // Before, deleting the topics noted two deletions, which stayed behind.
    expect(emptyOf(await contents(C))).toBe(true);
    await withOwnerClient(url(), async (client) => {
      const tables = await customerTables(client);
      expect(await customerRowCounts(client, tables, C)).toEqual(tables.map(() => 0));
    });
  });
});
