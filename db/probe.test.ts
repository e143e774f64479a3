import { afterAll, describe, expect, it } from "vitest";
import { freshTestDatabase } from "./test/fixture";
import { databaseAnswers, unreachableWithin } from "./probe";

const db = freshTestDatabase();
const before = process.env.APP_DATABASE_URL;
afterAll(() => {
  if (before === undefined) delete process.env.APP_DATABASE_URL;
  else process.env.APP_DATABASE_URL = before;
});

/** Past the probe's one-second reuse of its last answer. */
const nextProbe = () => new Promise((resolve) => setTimeout(resolve, 1_100));

describe("the database probe", () => {
  it("remembers an outage for a while after the database answers again", async () => {
    process.env.APP_DATABASE_URL = db.database.appUrl;
    expect(await databaseAnswers()).toBe(true);
    expect(unreachableWithin(5_000)).toBe(false);
    // Nothing listens on port 1: the database is down.
    process.env.APP_DATABASE_URL = "postgres://tenantry_app@127.0.0.1:1/tenantry";
    await nextProbe();
    expect(await databaseAnswers()).toBe(false);
    // It is back, and the outage is still recent for a few seconds.
    process.env.APP_DATABASE_URL = db.database.appUrl;
    await nextProbe();
    expect(await databaseAnswers()).toBe(true);
    expect(unreachableWithin(5_000)).toBe(true);
    expect(unreachableWithin(5_000, Date.now() + 5_000)).toBe(false);
  });
});
