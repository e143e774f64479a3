// Bad input, anywhere, as anyone: impossible dates, 10 kB strings, negative and absurd numbers,
// NUL bytes, repeated parameters and unknown IDs on every page and route handler answer with a
// page, a sentence or a 404 — never a 5xx. And every server action in the build, found in its
// manifest, posted to as Next's forms post, with malformed and replayed bodies (issue #20).
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { CUSTOMER_ADMIN, CUSTOMER_MEMBER, SUPER_ADMIN, signIn } from "../auth/helpers";
import { ownerQuery } from "../db";

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
  "cursor",
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
  "/api/auth/session",
  "/api/auth/csrf",
  "/api/auth/providers",
  "/api/auth/signin",
  `/api/auth/${LONG}`,
  "/api/auth/callback/credentials",
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
  // The customer list's cursor, forged: a key that is no number under the users sort.
  `sort=users&dir=desc&cursor=${Buffer.from(
    JSON.stringify({
      page: 2,
      towards: "next",
      sort: "users",
      dir: "desc",
      key: "x'",
      id: UNKNOWN,
    }),
  ).toString("base64url")}`,
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

const STACK = /\bat [\w.<>]+ \(|node_modules|\.ts:\d+/;

/** The IDs of every server action in the build (`next build` ran before the suite). */
function actionIds(): string[] {
  const manifest = JSON.parse(
    readFileSync(
      path.resolve(import.meta.dirname, "../../.next/server/server-reference-manifest.json"),
      "utf8",
    ),
  ) as { node: Record<string, unknown> };
  return Object.keys(manifest.node);
}

/** Malformed bodies an action could be sent, each with its content type. */
function bodies(other: string): { type?: string; data: string | Record<string, string> }[] {
  return [
    { data: {} },
    { data: { id: other, customer: other, tenantId: other, name: LONG, email: "a\u0000@b.c" } },
    { data: { "1_$ACTION_ID_x": "", "1_id": other, "0": '["$K1"]' } },
    { type: "text/plain;charset=UTF-8", data: "not json at all" },
    { type: "text/plain;charset=UTF-8", data: '["$@1",{"id":"' + other + '"}]' },
    { type: "text/plain;charset=UTF-8", data: JSON.stringify([null, LONG]) },
    { type: "application/json", data: "{" },
  ];
}

async function postActions(request: APIRequestContext, role: string, other: string) {
  const failures: string[] = [];
  // Every action, and one that does not exist; the second body sent twice (a replay).
  for (const id of [...actionIds(), "0".repeat(42)]) {
    for (const [i, body] of bodies(other).entries()) {
      for (let replay = 0; replay < (i === 1 ? 2 : 1); replay++) {
        const response = await request.post("/users", {
          headers: { "Next-Action": id, ...(body.type ? { "Content-Type": body.type } : {}) },
          ...(typeof body.data === "string" ? { data: body.data } : { multipart: body.data }),
          maxRedirects: 0,
        });
        const text = await response.text();
        if (response.status() >= 500 || STACK.test(text))
          failures.push(`${role} ${id.slice(0, 12)} ${response.status()} ${text.slice(0, 160)}`);
      }
    }
  }
  return failures;
}

test("every server action answers malformed and replayed posts without a 5xx, as any role", async ({
  browser,
  request,
}) => {
  test.setTimeout(240_000);
  expect(actionIds().length).toBeGreaterThan(20);
  const [other] = await ownerQuery<{ id: string }>(
    "select id from control.customers where name <> 'Northwind Motors' order by id limit 1",
  );
  const failures = await postActions(request, "signed out", other.id);
  for (const email of [SUPER_ADMIN, CUSTOMER_ADMIN, CUSTOMER_MEMBER]) {
    const page = await (await browser.newContext()).newPage();
    await signIn(page, email);
    failures.push(...(await postActions(page.request, email, other.id)));
  }
  expect(failures).toEqual([]);
});

test("next-auth's endpoints answer malformed sign-in posts without a 5xx", async ({ request }) => {
  const failures: string[] = [];
  for (const path of [
    "/api/auth/callback/credentials",
    "/api/auth/signin/credentials",
    "/api/auth/signout",
    `/api/auth/${LONG.slice(0, 500)}`,
  ]) {
    for (const form of [
      {} as Record<string, string>,
      { email: LONG, password: LONG, csrfToken: "forged" },
      { email: "a\u0000b@example.com", password: "\u0000", code: "1".repeat(1000) },
      { email: "admin@northwind.example", password: "x", callbackUrl: "https://evil.example/" },
    ]) {
      const response = await request.post(path, { form, maxRedirects: 0 });
      const text = await response.text();
      if (response.status() >= 500 || STACK.test(text))
        failures.push(`${path.slice(0, 60)} ${response.status()} ${text.slice(0, 160)}`);
    }
  }
  expect(failures).toEqual([]);
});
