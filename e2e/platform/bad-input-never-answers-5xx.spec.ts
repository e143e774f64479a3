// Bad input, anywhere, as anyone: impossible dates, 10 kB strings, negative and absurd numbers,
// NUL bytes, repeated parameters and unknown IDs on every page and route handler answer with a
// page, a sentence or a 404 — never a 5xx.
import { expect, test, type APIRequestContext } from "@playwright/test";
import { CUSTOMER_ADMIN, CUSTOMER_MEMBER, SUPER_ADMIN, signIn } from "../auth/helpers";

const LONG = "x".repeat(10_000);
const UNKNOWN = "ZZZZZZZZZ";
const PARAMS = [
  "q",
  "sort",
  "dir",
  "status",
  "plan",
  "actor",
  "action",
  "outcome",
  "customer",
  "from",
  "to",
  "page",
  "size",
  "schema",
  "tenant",
  "column",
  "global",
  "globalUnique",
  "callbackUrl",
  "invited",
];

const PATHS = [
  "/",
  "/home",
  "/customers",
  "/customers/new",
  `/customers/${UNKNOWN}`,
  `/customers/${LONG}`,
  "/customers/-1",
  "/audit-trail",
  "/audit-log",
  "/adoption",
  "/switches",
  "/system",
  "/usage",
  "/users",
  "/sign-in",
  "/invite/not-a-token",
  `/invite/${LONG}`,
  "/api/health",
  "/api/audit/export",
  `/no-such-page/${LONG}`,
];

const QUERIES = [
  "",
  PARAMS.map((p) => `${p}=${LONG}`).join("&"),
  "from=2024-13-01&to=2024-02-30",
  "page=-5&size=-1",
  "page=1e400&size=NaN",
  `customer=${UNKNOWN}&tenant=${UNKNOWN}&id=${UNKNOWN}`,
  "page=1&page=2&customer=A&customer=B&schema=app&schema=control&sort=name&sort=id",
  "q=%00nul&actor=%00&action=%00&schema=%00",
  "schema=pg_catalog",
];

async function probe(request: APIRequestContext, role: string) {
  const failures: string[] = [];
  for (const path of PATHS) {
    for (const query of QUERIES) {
      const url = query ? `${path}?${query}` : path;
      const response = await request.get(url, { maxRedirects: 0 });
      if (response.status() >= 500)
        failures.push(`${role} ${response.status()} ${url.slice(0, 120)}`);
    }
  }
  return failures;
}

test("no page or route handler answers 5xx to bad input, signed out or as any role", async ({
  browser,
  request,
}) => {
  test.setTimeout(240_000);
  const failures = await probe(request, "signed out");
  for (const email of [SUPER_ADMIN, CUSTOMER_ADMIN, CUSTOMER_MEMBER]) {
    const page = await (await browser.newContext()).newPage();
    await signIn(page, email);
    failures.push(...(await probe(page.request, email)));
  }
  expect(failures).toEqual([]);
});
