import "server-only";
import { sql } from "drizzle-orm";
import { users } from "@/db/schema";
import type { Tx } from "@/db/tenant";
import { hashPassword } from "./passwords";

export class DuplicateEmailError extends Error {}

/** Adds a platform super-admin; refuses an email that is already a console user. */
export async function insertSuperAdmin(tx: Tx, input: { email: string; displayName: string; password: string }) {
  const email = input.email.trim().toLowerCase();
  const [existing] = await tx.select({ id: users.id }).from(users).where(sql`lower(${users.email}) = ${email}`);
  if (existing) throw new DuplicateEmailError(`${email} is already a console user.`);
  const [row] = await tx
    .insert(users)
    .values({ email, displayName: input.displayName, platformRole: "super_admin", passwordHash: await hashPassword(input.password) })
    .returning({ id: users.id });
  return row.id;
}
