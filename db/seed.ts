// The demo seed (DESIGN §9): one super-admin and three customers with an admin each (and one
// member, so every role can be tried).
// Written through withSystem("seed"), so it runs as the app would, never as the owner.
import { count } from "drizzle-orm";
import { hashPassword } from "../lib/auth/passwords";
import { insertSuperAdmin } from "../lib/auth/super-admins";
import { generateCustomerId } from "../lib/customers/ids";
import { customers, memberships, users } from "./schema";
import { withSystem } from "./tenant";

export const DEMO_PASSWORD = "tenantry-demo";
export const DEMO_SUPER_ADMIN = "admin@tenantry.local";

export const DEMO_CUSTOMERS = [
  { name: "Northwind Motors", admin: "admin@northwind.example", member: "member@northwind.example", status: "active", plan: "team" },
  { name: "Bluebird Auto Parts", admin: "admin@bluebird.example", member: null, status: "active", plan: "business" },
  { name: "Cascade Tire & Service", admin: "admin@cascade.example", member: null, status: "trial", plan: "free" },
] as const;

/** Seeds the demo once; returns false when the database already has users. */
export async function seedDemo(): Promise<boolean> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  return withSystem("seed", async (tx) => {
    const [{ existing }] = await tx.select({ existing: count() }).from(users);
    if (existing > 0) return false;
    await insertSuperAdmin(tx, { email: DEMO_SUPER_ADMIN, displayName: "Platform Admin", password: DEMO_PASSWORD });
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
          .values({ email: person.email, displayName: `${demo.name} ${person.title}`, passwordHash })
          .returning({ id: users.id });
        await tx.insert(memberships).values({ tenantId: id, userId: user.id, role: person.role });
      }
    }
    return true;
  });
}
