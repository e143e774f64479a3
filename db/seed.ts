// The demo seed (docs/architecture.md §10): one super-admin and three customers with an admin each (and one
// member, so every role can be tried), beside the sample legacy data plane. Its password is
// published, so it goes only where a demo belongs: the embedded database, or a database that
// someone asked for it explicitly (`npm start -- --demo`, `npm run demo -- seed`) and that has
// no users yet. Written through withSystem("seed"), so it runs as the app would.
import { count } from "drizzle-orm";
import { hashPassword } from "../lib/auth/passwords";
import { insertSuperAdmin } from "../lib/auth/super-admins";
import { generateCustomerId } from "../lib/customers/ids";
import { DEMO_SAMPLE_ROWS, generateSample, sampleExists } from "./sample/generate";
import { withOwnerClient } from "./owner";
import { customers, memberships, users } from "./schema";
import { withSystem } from "./tenant";

export const DEMO_PASSWORD = "tenantry-demo";
export const DEMO_SUPER_ADMIN = "admin@tenantry.local";

export const DEMO_CUSTOMERS = [
  {
    name: "Northwind Motors",
    admin: "admin@northwind.example",
    member: "member@northwind.example",
    status: "active",
    plan: "team",
  },
  {
    name: "Bluebird Auto Parts",
    admin: "admin@bluebird.example",
    member: null,
    status: "active",
    plan: "business",
  },
  {
    name: "Cascade Tire & Service",
    admin: "admin@cascade.example",
    member: null,
    status: "trial",
    plan: "free",
  },
] as const;

export class DemoRefusedError extends Error {}

export const DEMO_REFUSED =
  "This database already has console users: the demo (with its published password) goes only into a database without any.";

/** Whether the console has any user yet (as the owner: the embedded database's one session must not change role). */
export async function hasUsers(ownerUrl: string): Promise<boolean> {
  return withOwnerClient(
    ownerUrl,
    async (client) =>
      (await client.query("select exists (select 1 from control.users) as any")).rows[0]
        .any as boolean,
  );
}

/**
 * The first half of the demo, as the owner: refused with DemoRefusedError when the database has
 * users, else the sample data plane unless present. `seedDemo` (as the app) follows it.
 */
export async function prepareDemo(
  ownerUrl: string,
  progress: (line: string) => void = () => undefined,
): Promise<void> {
  if (await hasUsers(ownerUrl)) throw new DemoRefusedError(DEMO_REFUSED);
  if (!(await sampleExists(ownerUrl))) {
    progress(
      `Generating the sample legacy data plane (${DEMO_SAMPLE_ROWS.toLocaleString("en")} rows) …`,
    );
    await generateSample(ownerUrl, { rows: DEMO_SAMPLE_ROWS });
  }
}

/** The whole demo, asked for explicitly, into the database the app pool points at. */
export async function seedDemoDatabase(
  ownerUrl: string,
  progress: (line: string) => void = () => undefined,
): Promise<void> {
  await prepareDemo(ownerUrl, progress);
  if (!(await seedDemo())) throw new DemoRefusedError(DEMO_REFUSED);
  progress("Seeded the demo: a super-admin and three customers.");
}

/** Seeds the demo's users and customers once; returns false when the database already has users. */
export async function seedDemo(): Promise<boolean> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  return withSystem("seed", async (tx) => {
    const [{ existing }] = await tx.select({ existing: count() }).from(users);
    if (existing > 0) return false;
    await insertSuperAdmin(tx, {
      email: DEMO_SUPER_ADMIN,
      displayName: "Platform Admin",
      password: DEMO_PASSWORD,
      via: "demo-seed",
    });
    for (const demo of DEMO_CUSTOMERS) {
      const id = generateCustomerId();
      await tx.insert(customers).values({
        id,
        name: demo.name,
        status: demo.status,
        plan: demo.plan,
        contactEmail: demo.admin,
        trialEndsAt: demo.status === "trial" ? new Date(Date.now() + 14 * 86_400_000) : null,
      });
      const people: { email: string; role: "admin" | "member"; title: string }[] = [
        { email: demo.admin, role: "admin", title: "Admin" },
      ];
      if (demo.member) people.push({ email: demo.member, role: "member", title: "Member" });
      for (const person of people) {
        const [user] = await tx
          .insert(users)
          .values({
            email: person.email,
            displayName: `${demo.name} ${person.title}`,
            passwordHash,
          })
          .returning({ id: users.id });
        await tx.insert(memberships).values({ tenantId: id, userId: user.id, role: person.role });
      }
    }
    return true;
  });
}
