// Opening and ending switches, in the platform action's transaction. Switches also end by
// themselves: on expiry (lib/auth/resolve-context.ts) and, by database triggers, when their
// customer is blocked or their super-admin loses the role (docs/architecture.md §6).
import "server-only";
import { and, eq, isNull } from "drizzle-orm";
import { switches } from "@/db/schema";
import type { Tx } from "@/db/tenant";
import { NotFoundError } from "@/lib/auth/action";

/** Opens a switch; null when the super-admin already has one open (one at a time, by constraint). */
export async function openSwitch(
  tx: Tx,
  input: {
    superAdmin: { id: string; email: string };
    tenantId: string;
    reason: string;
    mode: "read" | "write";
    minutes: number;
  },
): Promise<string | null> {
  const now = new Date();
  const [opened] = await tx
    .insert(switches)
    .values({
      superAdminId: input.superAdmin.id,
      superAdminEmail: input.superAdmin.email,
      tenantId: input.tenantId,
      reason: input.reason,
      mode: input.mode,
      startedAt: now,
      expiresAt: new Date(now.getTime() + input.minutes * 60_000),
    })
    .onConflictDoNothing()
    .returning({ id: switches.id });
  return opened?.id ?? null;
}

/** Ends an open switch; an unknown or already ended one is not found. */
export async function endSwitch(tx: Tx, switchId: string, byEmail: string, reason: string) {
  const [ended] = await tx
    .update(switches)
    .set({ endedAt: new Date(), endedByEmail: byEmail, endReason: reason })
    .where(and(eq(switches.id, switchId), isNull(switches.endedAt)))
    .returning({ tenantId: switches.tenantId, superAdminEmail: switches.superAdminEmail });
  if (!ended) throw new NotFoundError();
  return ended;
}
