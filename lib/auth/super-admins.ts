import "server-only";
import { userInfo } from "node:os";
import { and, asc, eq, sql } from "drizzle-orm";
import { sessions, twoFactor, users } from "@/db/schema";
import { withSystem, type Tx } from "@/db/tenant";
import { insertAuditEvent } from "@/lib/audit/record";
import { hashPassword } from "./passwords";

export class DuplicateEmailError extends Error {}

/**
 * Adds a platform super-admin; refuses an email that is already a console user. The most
 * privileged act on the platform, so it is on the platform chain with who did it: `via` names
 * the door (the command line, the demo seed) and the operating-system user that ran it.
 */
export async function insertSuperAdmin(
  tx: Tx,
  input: {
    email: string;
    displayName: string;
    password: string;
    via: "admin-create" | "demo-seed";
  },
) {
  const email = input.email.trim().toLowerCase();
  const [existing] = await tx.select({ id: users.id }).from(users).where(eq(users.emailKey, email));
  if (existing) throw new DuplicateEmailError(`${email} is already a console user.`);
  const [row] = await tx
    .insert(users)
    .values({
      email,
      displayName: input.displayName,
      platformRole: "super_admin",
      passwordHash: await hashPassword(input.password),
    })
    .returning({ id: users.id });
  await insertAuditEvent(tx, {
    action: "super-admins.create",
    outcome: "ok",
    actorRole: input.via,
    targetType: "user",
    targetId: row.id,
    details: { email, osUser: osUser() },
  });
  return row.id;
}

/** The operating-system user running a command: who did it, for commands run on the server. */
export function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? "unknown";
  }
}

/** Whether any active super-admin exists: without one, sign-in says how to create the first. */
export async function hasSuperAdmin(): Promise<boolean> {
  return withSystem(
    "sign-in",
    async (tx) => {
      const [row] = await tx
        .select({ id: users.id })
        .from(users)
        .where(and(eq(users.platformRole, "super_admin"), eq(users.status, "active")))
        .limit(1);
      return Boolean(row);
    },
    { readOnly: true },
  );
}

/**
 * Every super-admin (the Super-admins page): status, second factor, and when they last signed
 * in. Read through users' partial index on platform_role, whatever the number of users.
 */
export async function listSuperAdmins(tx: Tx) {
  return tx
    .select({
      id: users.id,
      email: users.email,
      displayName: users.displayName,
      status: users.status,
      createdAt: users.createdAt,
      twoFactorSince: twoFactor.enabledAt,
      lastSignIn: sql<Date | null>`(select max(${sessions.createdAt}) from ${sessions}
                                     where ${sessions.userId} = ${users.id})`.mapWith(
        (value: string | null) => (value ? new Date(value) : null),
      ),
    })
    .from(users)
    .leftJoin(twoFactor, eq(twoFactor.userId, users.id))
    .where(eq(users.platformRole, "super_admin"))
    .orderBy(asc(users.email));
}
