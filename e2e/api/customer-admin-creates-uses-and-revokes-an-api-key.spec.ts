// The platform API (issue #17): a customer admin creates a key, sees it once, uses it as an
// operations script would (Playwright's request API, no cookies), sees the calls counted on the
// usage page, and revokes it; the other customer's admin never sees it nor its calls; the
// reference renders the OpenAPI document.
import { expect, request as http, test } from "@playwright/test";
import { signIn } from "../auth/helpers";
import { ownerQuery } from "../db";

/** A customer's API calls this month (UTC), as the database counted them. */
const callsThisMonth = async (name: string) => {
  const [row] = await ownerQuery<{ calls: string }>(
    `select coalesce(sum(a.calls), 0)::text as calls from control.customers c
       left join control.api_calls a on a.tenant_id = c.id and a.month = to_char(now() at time zone 'UTC', 'YYYY-MM')
      where c.name = $1`,
    [name],
  );
  return Number(row.calls);
};

test("a customer admin creates an API key, uses it, and revokes it; another customer's admin never sees it", async ({
  page,
  browser,
  baseURL,
}) => {
  const [northwind] = await ownerQuery<{ id: string }>(
    "select id from control.customers where name = 'Northwind Motors'",
  );
  await signIn(page, "admin@northwind.example");
  await page.getByRole("link", { name: "API keys" }).click();
  await expect(page.getByRole("heading", { name: "API keys" })).toBeVisible();
  const form = page.getByRole("form", { name: "Create an API key" });
  await form.getByLabel("Name").fill("billing sync");
  await form.getByLabel(/^usage:write/).check();
  await form.getByRole("button", { name: "Create key" }).click();
  await expect(form.getByRole("status")).toContainText("shown only once");
  const key = await form.getByLabel("The new key").inputValue();
  expect(key).toMatch(/^tnt_[a-z2-7]{12}_[A-Za-z0-9_-]{43}$/);
  const prefix = key.slice(0, 16);

  // Used as a script would: a bearer key and nothing else.
  const api = await http.newContext({
    baseURL,
    extraHTTPHeaders: { Authorization: `Bearer ${key}` },
  });
  const usage = await api.get("/api/v1/usage");
  expect(usage.status()).toBe(200);
  expect(await usage.json()).toMatchObject({ customer: northwind.id });
  expect(usage.headers()["ratelimit-limit"]).toBe("600");
  const events = await api.post("/api/v1/usage/events", {
    data: { events: [{ id: "inv-1", kind: "invoice", quantity: 2 }] },
  });
  expect(await events.json()).toEqual({ accepted: 1, duplicates: 0 });
  // Not its scope: a problem document that says which.
  const customer = await api.get("/api/v1/customer");
  expect(customer.status()).toBe(403);
  expect(customer.headers()["content-type"]).toBe("application/problem+json");
  expect((await customer.json()).detail).toBe("This API key lacks the customer:read scope.");
  // Nothing of the platform's.
  expect((await api.get("/api/v1/moves")).status()).toBe(404);

  // Its usage page counts the calls against the plan's month, as the database has them (a
  // lease's calls are counted within 200 ms, so the two are read again until they agree).
  const meter = (on: typeof page) => on.getByRole("meter", { name: "API calls this month" });
  await expect(async () => {
    await page.goto("/usage");
    const shown = Number(await meter(page).getAttribute("aria-valuenow"));
    expect(shown).toBeGreaterThanOrEqual(2);
    expect(shown).toBe(await callsThisMonth("Northwind Motors"));
  }).toPass();
  // …and the metered event it sent, per kind.
  const metered = page.getByRole("table", { name: /^Metered events in / });
  await expect(metered.getByRole("row", { name: "invoice 1 2" })).toBeVisible();
  await page.goto("/api-keys");

  // Listed by its prefix; the secret is nowhere on the page once it is reloaded.
  await page.reload();
  await expect(page.getByRole("table", { name: /API keys of/ })).toContainText(prefix);
  expect(await page.content()).not.toContain(key);

  // The other customer's admin sees none of it.
  const other = await (await browser.newContext()).newPage();
  await signIn(other, "admin@bluebird.example");
  await other.goto("/api-keys");
  await expect(other.getByRole("heading", { name: "API keys" })).toBeVisible();
  expect(await other.content()).not.toContain(prefix);
  // …and its usage page counts its own calls, none of Northwind's.
  await other.goto("/usage");
  await expect(meter(other)).toHaveAttribute(
    "aria-valuenow",
    String(await callsThisMonth("Bluebird Auto Parts")),
  );
  expect(await callsThisMonth("Bluebird Auto Parts")).toBeLessThan(
    await callsThisMonth("Northwind Motors"),
  );
  const theirs = other.getByRole("region", { name: "Metered events this month" });
  await expect(theirs).toBeVisible();
  await expect(theirs).not.toContainText("invoice");

  // Revoked: the next call fails.
  await page.getByRole("button", { name: `Revoke ${prefix}` }).click();
  await expect(page.getByRole("table", { name: /API keys of/ })).toContainText("revoked");
  const after = await api.get("/api/v1/usage");
  expect(after.status()).toBe(401);
  expect((await after.json()).detail).toBe("This API key was revoked.");
  await api.dispose();

  // The reference, from the OpenAPI document.
  await page.goto("/api-docs");
  await expect(page.getByRole("region", { name: "POST /api/v1/usage/events" })).toContainText(
    "Scope: `usage:write`",
  );
});
