import { beforeAll, describe, expect, it } from "vitest";
import { withPlatform, type PlatformContext } from "@/db/tenant";
import { insertUser, freshTestDatabase } from "@/db/test/fixture";
import { formatCustomerId, generateCustomerId } from "./ids";
import { listCustomers } from "./queries";
import { customerListSchema } from "./schemas";

const db = freshTestDatabase();
const root: PlatformContext = {
  userId: crypto.randomUUID(),
  email: "root@tenantry.example",
  platformRole: "super_admin",
};
const list = (query: Record<string, string>) =>
  withPlatform(root, { action: "customers.list" }, (tx) =>
    listCustomers(tx, customerListSchema.parse(query)),
  );

// name, status, plan, users
const FIXTURE = [
  ["Alpha Garage", "active", "team", 3],
  ["alpine Tires", "trial", "free", 0],
  ["Beta Motors", "suspended", "business", 5],
  ["Gamma_Parts", "active", "free", 1],
  ["Delta Service", "active", "enterprise", 2],
] as const;
const ids: Record<string, string> = {};

beforeAll(async () => {
  for (const [i, [name, status, plan, users]] of FIXTURE.entries()) {
    const id = generateCustomerId();
    ids[name] = id;
    await db.owner.query(
      "insert into control.customers (id, name, status, plan, contact_email, created_at) values ($1, $2, $3, $4, 'x@x.example', now() - $5 * interval '1 day')",
      [id, name, status, plan, i],
    );
    for (let u = 0; u < users; u++)
      await insertUser(db.owner, { email: `u${u}@${id.toLowerCase()}.example`, tenantId: id });
  }
});

const names = (rows: { name: string }[]) => rows.map((r) => r.name);

describe("listCustomers", () => {
  it("sorts by each column, both ways, with the user counts", async () => {
    expect(names((await list({ sort: "name", dir: "asc" })).rows)).toEqual([
      "Alpha Garage",
      "alpine Tires",
      "Beta Motors",
      "Delta Service",
      "Gamma_Parts",
    ]);
    const byUsers = await list({ sort: "users", dir: "desc" });
    expect(byUsers.rows.map((r) => [r.name, r.users])).toEqual([
      ["Beta Motors", 5],
      ["Alpha Garage", 3],
      ["Delta Service", 2],
      ["Gamma_Parts", 1],
      ["alpine Tires", 0],
    ]);
    expect(names((await list({ sort: "created", dir: "desc" })).rows)[0]).toBe("Alpha Garage");
    const byName = await list({ sort: "name", dir: "desc" });
    expect(byName.rows.find((r) => r.name === "Beta Motors")?.users).toBe(5);
  });

  it("searches by case-insensitive name prefix, treating % and _ literally, and by ID in any form", async () => {
    expect(names((await list({ q: "ALP", sort: "name", dir: "asc" })).rows)).toEqual([
      "Alpha Garage",
      "alpine Tires",
    ]);
    expect(names((await list({ q: "gamma_" })).rows)).toEqual(["Gamma_Parts"]);
    expect((await list({ q: "gamma%" })).total).toBe(0);
    expect((await list({ q: "%" })).total).toBe(0);
    const id = ids["Delta Service"];
    expect(names((await list({ q: formatCustomerId(id).toLowerCase() })).rows)).toEqual([
      "Delta Service",
    ]);
  });

  it("filters by status and plan, and pages with the right total", async () => {
    expect(names((await list({ status: "active", sort: "name", dir: "asc" })).rows)).toEqual([
      "Alpha Garage",
      "Delta Service",
      "Gamma_Parts",
    ]);
    expect(names((await list({ plan: "free", sort: "name", dir: "asc" })).rows)).toEqual([
      "alpine Tires",
      "Gamma_Parts",
    ]);
    const page2 = await list({ sort: "name", dir: "asc", size: "10", page: "1" });
    expect(page2.total).toBe(5);
    const beyond = await list({ sort: "name", dir: "asc", page: "3" });
    expect(beyond).toEqual({ rows: [], total: 5 });
  });

  it("reads bad URL parameters as the defaults instead of failing", () => {
    expect(
      customerListSchema.parse({
        sort: "drop table",
        dir: "up",
        page: "-4",
        size: "7",
        status: "gone",
      }),
    ).toEqual({
      q: "",
      status: undefined,
      plan: undefined,
      sort: "created",
      dir: "desc",
      page: 1,
      size: 25,
    });
  });
});
