// Every page, as every role that may see it, passes axe's WCAG 2.1 A and AA rules: contrast,
// names, landmarks, keyboard reach of scrollable regions.
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { CUSTOMER_ADMIN, CUSTOMER_MEMBER, SUPER_ADMIN, signIn } from "../auth/helpers";
import { ownerQuery } from "../db";

async function violations(page: Page, path: string) {
  await page.goto(path);
  await page.waitForLoadState("networkidle");
  const { violations } = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .analyze();
  return violations.map(
    (v) =>
      `${path}: ${v.id} (${v.nodes.length}) ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
  );
}

test("every page passes WCAG 2.1 AA for every role that may see it", async ({ browser, page }) => {
  test.setTimeout(180_000);
  const [northwind] = await ownerQuery<{ id: string }>(
    "select id from control.customers where name = 'Northwind Motors'",
  );
  const found: string[] = [];
  const [member] = await ownerQuery<{ id: string }>(
    "select id from control.users where email = $1",
    [CUSTOMER_MEMBER],
  );
  for (const path of ["/sign-in", "/invite/not-a-token", "/reset/not-a-token"])
    found.push(...(await violations(page, path)));

  const roles: [string, string[]][] = [
    [
      SUPER_ADMIN,
      [
        "/",
        "/customers",
        "/customers/new",
        `/customers/${northwind.id}`,
        "/audit-log",
        "/adoption",
        "/switches",
        "/system",
        "/databases",
        "/account",
      ],
    ],
    [
      CUSTOMER_ADMIN,
      ["/home", "/usage", "/users", `/users/${member.id}`, "/audit-trail", "/account"],
    ],
    [CUSTOMER_MEMBER, ["/home", "/usage", "/account"]],
  ];
  for (const [email, paths] of roles) {
    const signedIn = await (await browser.newContext()).newPage();
    await signIn(signedIn, email);
    for (const path of paths) found.push(...(await violations(signedIn, path)));
  }
  expect(found).toEqual([]);
});
