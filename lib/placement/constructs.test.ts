// Moving a customer whose tables are as real schemas' are (issue #16): two tables that point at
// one another (a forum's topics and their last post), identity columns GENERATED ALWAYS and a
// stored generated column. Before, the copy could write none of them and the cleanup could not
// delete the cycle; now the customer arrives whole, counted, and leaves nothing behind.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { endDatabasePools } from "@/db/databases";
import { startEmbeddedServer, type EmbeddedServer } from "@/db/embedded";
import { forgetPlacements } from "@/db/placement";
import { freshTestDatabase } from "@/db/test/fixture";
import { freePort } from "@/db/test/ports";
import { runAdoption } from "../adoption/run";
import { LEGACY_CUSTOMER_ID } from "../customers/ids";
import { addDatabase } from "../databases/registry";
import { syncDatabase } from "../databases/sync";
import { contentsOf, countedRowsOf, emptyOf } from "../portability/test/contents";
import { moveCustomer } from "./move";

const db = freshTestDatabase();
const primary = () => db.database.ownerUrl;
const A = LEGACY_CUSTOMER_ID;
let second: EmbeddedServer;
let dataDir: string;
const VAR = "TENANTRY_TEST_CONSTRUCTS_TARGET";

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "tenantry-move-constructs-"));
  second = await startEmbeddedServer({ dataDir, port: await freePort() });
  process.env[VAR] = second.ownerUrl;
  process.env[`${VAR}_APP`] = second.appUrl;
  await db.owner.query(`
    create schema forum;
    create table forum.topics (id int generated always as identity primary key, title text not null, last_post_id int);
    create table forum.posts (id int generated always as identity primary key, topic_id int not null references forum.topics,
                              body text not null, size int generated always as (length(body)) stored);
    alter table forum.topics add constraint topics_last_post foreign key (last_post_id) references forum.posts;
    create table forum.attachments (id int primary key, post_id int not null references forum.posts, name text);
    insert into forum.topics (title) values ('Welcome'), ('Rules');
    insert into forum.posts (topic_id, body) values (1, 'hello'), (1, 'again'), (2, 'be kind');
    update forum.topics set last_post_id = case id when 1 then 2 else 3 end;
    insert into forum.attachments values (1, 1, 'a.png'), (2, 3, 'b.png');`);
  const adopted = await runAdoption(primary(), { schema: "forum" });
  if (!adopted.ok) throw new Error(adopted.instructions);
  await addDatabase(primary(), { name: "dedicated-1", envVar: VAR, kind: "dedicated" });
  await syncDatabase(primary(), second.ownerUrl, { appPassword: second.appPassword });
}, 180_000);

afterAll(async () => {
  forgetPlacements();
  await endDatabasePools();
  await second?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("a move of tables in a cycle, with identity and generated columns", () => {
  it("copies the customer whole, counts it there, and deletes it from the source", async () => {
    const before = await contentsOf(primary(), A);
    expect(before["forum.posts"].rows).toBe(3);
    const moved = await moveCustomer(primary(), A, "dedicated-1", {
      by: "test",
      mode: "offline",
      graceMs: 0,
    });
    expect(moved).toMatchObject({ source: "primary", target: "dedicated-1", mode: "offline" });
    expect(await contentsOf(second.ownerUrl, A)).toEqual(before);
    expect(await countedRowsOf(second.ownerUrl, A)).toBe(7);
    // The cleanup deleted the cycle's rows too, and the source counts none of them.
    expect(emptyOf(await contentsOf(primary(), A))).toBe(true);
    expect(await countedRowsOf(primary(), A)).toBe(0);
  });
});
