// npm start builds the console again when a file it is built from changed since the last build
// (a pull, an edit), and not for a test, a bench or a migration.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { whyBuild } from "./build";

const root = mkdtempSync(path.join(os.tmpdir(), "tenantry-build-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Writes `relative` under the root, modified `at` (seconds since the epoch). */
function file(relative: string, at: number) {
  const full = path.join(root, relative);
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, relative);
  utimesSync(full, at, at);
}

describe("whether the console needs building", () => {
  it("says so with no build, then for a built file changed since, and not for tests", () => {
    for (const f of ["app/page.tsx", "lib/x/y.ts", "lib/x/y.test.ts", "db/test/h.ts", "proxy.ts"])
      file(f, 1_000);
    expect(whyBuild(root)).toBe("no build yet");
    file(".next/BUILD_ID", 2_000);
    expect(whyBuild(root)).toBeNull();
    // Tests, their helpers, benches and migrations are not built.
    for (const f of ["lib/x/y.test.ts", "db/test/h.ts", "db/bench/b.ts", "db/migrations/0001.sql"])
      file(f, 3_000);
    expect(whyBuild(root)).toBeNull();
    file("lib/x/y.ts", 3_000);
    expect(whyBuild(root)).toBe(`${path.join("lib", "x", "y.ts")} changed since the last build`);
    file(".next/BUILD_ID", 4_000);
    file("package-lock.json", 5_000);
    expect(whyBuild(root)).toBe("package-lock.json changed since the last build");
  });
});
