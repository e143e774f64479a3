// A customer's Users page holds 50 users a page. One customer's admin pages through its 60 users
// and back; the 30 users of another customer, whose addresses sort between them, never show.
// Its 55 open invitations page the same way, each list keeping the other's place; the other
// customer's 20, expiring between them, never show. A later page that came back empty shows
// the first, on the Users page and on the customer's page for a super-admin.
import { expect, test } from "@playwright/test";
import { generateCustomerId } from "../../lib/customers/ids";
import { CUSTOMER_ADMIN, SUPER_ADMIN, signIn } from "../auth/helpers";
import { ownerQuery } from "../db";

const ADMIN = "p00@one.paging.example";
const [one, two] = [generateCustomerId(), generateCustomerId()];

test.beforeAll(async () => {
  await ownerQuery(
    `insert into control.customers (id, name, contact_email, status)
     values ($1, 'Users Paging One', 'x@one.paging.example', 'active'), ($2, 'Users Paging Two', 'x@two.paging.example', 'active')`,
    [one, two],
  );
  // One: its admin (the demo password) and 59 members; two: 30 members, p01x@ … between them.
  await ownerQuery(
    `with made as (
       insert into control.users (email, display_name, password_hash)
       select e, 'Paging ' || e, (select password_hash from control.users where email = $3)
         from (select 'p' || lpad(g::text, 2, '0') || '@one.paging.example' as e from generate_series(0, 59) g
               union all
               select 'p' || lpad(g::text, 2, '0') || 'x@two.paging.example' from generate_series(1, 30) g) emails
       returning id, email)
     insert into control.memberships (tenant_id, user_id, role)
     select case when email like '%@one.%' then $1 else $2 end, id,
            case when email = $4 then 'admin' else 'member' end
       from made`,
    [one, two, CUSTOMER_ADMIN, ADMIN],
  );
  await ownerQuery(
    `insert into control.invites (tenant_id, email, role, token_hash, expires_at)
     select $1, 'i' || lpad(g::text, 2, '0') || '@one.paging.example', 'member',
            md5('paging one ' || g), now() + interval '2 days' + g * interval '2 minutes'
       from generate_series(1, 55) g
     union all
     select $2, 'i' || lpad(g::text, 2, '0') || 'x@two.paging.example', 'member',
            md5('paging two ' || g), now() + interval '2 days' + (2 * g + 1) * interval '1 minute'
       from generate_series(1, 20) g`,
    [one, two],
  );
});

test("a customer admin pages through its users, forth and back, and sees only its own", async ({
  page,
}) => {
  await signIn(page, ADMIN);
  await page.goto("/users");
  const members = page.getByRole("region", { name: "Members (60)" });
  const emails = async () =>
    (await members.getByRole("row").locator("td:nth-child(2)").allTextContents()).map((t) =>
      t.trim(),
    );
  await expect(members.getByText("1–50 of 60")).toBeVisible();
  const first = await emails();
  expect(first).toHaveLength(50);

  await members.getByRole("link", { name: "Next page" }).click();
  await expect(page).toHaveURL(/cursor=/);
  await expect(members.getByText("51–60 of 60")).toBeVisible();
  const second = await emails();
  const seen = [...first, ...second];
  expect(new Set(seen).size).toBe(60);
  expect(seen.every((e) => e.endsWith("@one.paging.example"))).toBe(true);

  await page.reload();
  expect(await emails()).toEqual(second);
  await members.getByRole("link", { name: "Previous page" }).click();
  await expect(page).not.toHaveURL(/cursor=/);
  await expect(members.getByText("1–50 of 60")).toBeVisible();
  expect(await emails()).toEqual(first);
});

test("a customer admin pages through its open invitations, keeping its place in the users", async ({
  page,
}) => {
  await signIn(page, ADMIN);
  await page.goto("/users");
  const members = page.getByRole("region", { name: "Members (60)" });
  const invitations = page.getByRole("region", { name: "Open invitations (55)" });
  const emails = async () =>
    (await invitations.getByRole("row").locator("td:nth-child(1)").allTextContents()).map((t) =>
      t.trim(),
    );
  await expect(invitations.getByText("1–50 of 55")).toBeVisible();
  const first = await emails();
  expect(first).toHaveLength(50);

  await members.getByRole("link", { name: "Next page" }).click();
  await expect(members.getByText("51–60 of 60")).toBeVisible();
  await invitations.getByRole("link", { name: "Next page" }).click();
  await expect(page).toHaveURL(/cursor=.*invites=/);
  await expect(invitations.getByText("51–55 of 55")).toBeVisible();
  await expect(members.getByText("51–60 of 60")).toBeVisible();
  const second = await emails();
  const seen = [...first, ...second];
  expect(new Set(seen).size).toBe(55);
  expect(seen.every((e) => e.endsWith("@one.paging.example"))).toBe(true);

  await invitations.getByRole("link", { name: "Previous page" }).click();
  await expect(page).not.toHaveURL(/invites=/);
  await expect(invitations.getByText("1–50 of 55")).toBeVisible();
  await expect(members.getByText("51–60 of 60")).toBeVisible();
  expect(await emails()).toEqual(first);

  // Page two's invitations withdrawn meanwhile: its link shows the first page, not an empty one.
  await page.goBack();
  await expect(invitations.getByText("51–55 of 55")).toBeVisible();
  await ownerQuery("update control.invites set revoked_at = now() where email = any($1)", [second]);
  await page.reload();
  await expect(page).not.toHaveURL(/invites=/);
  await expect(page).toHaveURL(/cursor=/);
  const left = page.getByRole("region", { name: "Open invitations (50)" });
  await expect(left.getByRole("row")).toHaveCount(51);
});

test("a super-admin's link to a later page of a customer's users, now empty, shows the first", async ({
  page,
}) => {
  await signIn(page, SUPER_ADMIN);
  const past = Buffer.from(
    JSON.stringify({ page: 3, towards: "next", email: "zz@one.paging.example" }),
  ).toString("base64url");
  await page.goto(`/customers/${one}?users=${past}`);
  await expect(page).toHaveURL(new RegExp(`/customers/${one}$`));
  await expect(page.getByText("1–50 of 60")).toBeVisible();
});
