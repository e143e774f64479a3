// The public sample schemas the adoption is tested on (README: "Schemas adoption is tested
// on"): each file loads into a schema of its own, as the owner.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { withOwnerClient } from "@/db/owner";

export const FIXTURES = ["chinook", "northwind", "pagila", "adventureworks"] as const;

/** Loads `fixtures/<name>.sql` into the new schema `schema`. */
export function loadFixture(ownerUrl: string, name: (typeof FIXTURES)[number], schema = name) {
  const text = readFileSync(join(import.meta.dirname, "fixtures", `${name}.sql`), "utf8");
  return withOwnerClient(ownerUrl, async (client) => {
    await client.query(`create schema ${schema}; set search_path = ${schema}`);
    await client.query(text);
  });
}
