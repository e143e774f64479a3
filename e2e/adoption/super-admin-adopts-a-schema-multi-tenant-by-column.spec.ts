// A schema that is multi-tenant in its application already (organization_id on most tables),
// adopted from the dashboard: the plan shows each table's way to its customer and names the
// table that has two, and a SECURITY DEFINER function that reads deals through a view (its
// comment speaks of notes, which it does not read); with the path chosen and the function
// dropped, the run makes each organization a customer.
import { expect, test } from "@playwright/test";
import { SUPER_ADMIN, signIn } from "../auth/helpers";
import { ownerQuery } from "../db";

test("the super-admin adopts a schema by its organization_id column from the dashboard", async ({
  page,
}) => {
  await ownerQuery(`
    create schema crm;
    create table crm.organizations (id bigint primary key, name text not null);
    create table crm.contacts (id bigint primary key, organization_id bigint not null references crm.organizations, email text);
    create table crm.deals (id bigint primary key, organization_id bigint not null references crm.organizations, title text);
    create table crm.notes (id bigint primary key, contact_id bigint not null references crm.contacts, deal_id bigint references crm.deals, body text);
    insert into crm.organizations values (1, 'Crm Acme'), (2, 'Crm Globex');
    insert into crm.contacts values (1, 1, 'a@acme'), (2, 2, 'a@globex');
    insert into crm.deals values (1, 1, 'Rockets');
    insert into crm.notes values (1, 1, 1, 'call back'), (2, 2, null, 'hello');
    create view crm.deal_titles as select title from crm.deals;
    create function crm.all_deal_titles() returns setof text language plpgsql security definer as $$
      begin
        -- notes stay private
        return query select title from crm.deal_titles;
      end $$;`);
  try {
    await signIn(page, SUPER_ADMIN);
    await page.goto("/adoption?schema=crm");
    await page.getByText("Already multi-tenant in the application").click();
    await page.getByLabel("Column that holds the tenant").fill("organization_id");
    await page.getByLabel("Table whose rows are the tenants").fill("organizations");
    await page.getByLabel("Its column that names a customer").fill("name");
    await page.getByRole("button", { name: "Update the plan" }).click();

    // notes reaches organization_id through two foreign keys: the plan names it, and the choice.
    const refusal = page.getByRole("alert", { name: "The plan cannot run" });
    await expect(refusal).toContainText(
      "crm.notes reaches organization_id through more than one foreign key (notes_contact_id_fkey → contacts, notes_deal_id_fkey → deals)",
    );
    await expect(refusal).toContainText(
      /The function crm\.all_deal_titles\(\) runs as \w+ \(SECURITY DEFINER\), which bypasses row-level security, and reads crm\.deals: any customer calling it reads every customer's rows\./,
    );
    await expect(refusal).not.toContainText("reads crm.deals, crm.notes");
    await expect(page.getByRole("button", { name: "Run adoption" })).toBeDisabled();

    await ownerQuery("drop function crm.all_deal_titles()");
    await page.getByLabel("Foreign key to follow").fill("notes=notes_contact_id_fkey");
    await page.getByRole("button", { name: "Update the plan" }).click();
    await expect(refusal).toHaveCount(0);
    await page.getByText("What changes, table by table").click();
    await expect(
      page.getByText(
        "add tenant_id (existing rows: their parent's, through notes_contact_id_fkey → contacts → organization_id, 2 customers; new rows: the tenant setting)",
      ),
    ).toBeVisible();

    await page.getByRole("button", { name: "Run adoption" }).click();
    await expect(page.getByTestId("coverage")).toHaveText("4 of 4 tables isolated", {
      timeout: 30_000,
    });
    const customers = await ownerQuery<{ name: string; notes: number }>(
      `select c.name, (select count(*)::int from crm.notes n where n.tenant_id = c.id) as notes
         from control.customers c where c.name in ('Crm Acme', 'Crm Globex') order by c.name`,
    );
    expect(customers).toEqual([
      { name: "Crm Acme", notes: 1 },
      { name: "Crm Globex", notes: 1 },
    ]);

    await page.getByRole("button", { name: "Revert…" }).click();
    await page
      .getByRole("group", { name: "Confirm the revert" })
      .getByRole("button", { name: "Revert now" })
      .click();
    await expect(page.getByTestId("coverage")).toHaveText(
      "0 of 4 tables isolated; 4 not isolated",
      { timeout: 30_000 },
    );
  } finally {
    // The two customers stay, as an adoption's customers do after its revert.
    await ownerQuery("drop schema crm cascade");
  }
});
