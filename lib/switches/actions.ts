"use server";

import { and, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import { customers, switches } from "@/db/schema";
import type { Tx } from "@/db/tenant";
import { ActionError, NotFoundError, platformAction } from "@/lib/auth/action";
import { isBlocked } from "@/lib/customers/lifecycle";
import { endSwitchSchema, startSwitchSchema } from "./schemas";

export const startSwitchAction = platformAction(
  { name: "switches.start", permission: "switches.start", schema: startSwitchSchema },
  async (tx, { id, reason, mode, minutes }, ctx, record) => {
    const [customer] = await tx
      .select({ name: customers.name, status: customers.status })
      .from(customers)
      .where(eq(customers.id, id));
    if (!customer) throw new NotFoundError();
    if (mode === "write" && isBlocked(customer.status)) {
      throw new ActionError(
        `${customer.name} is ${customer.status}: you can switch in read-only mode only.`,
      );
    }
    const now = new Date();
    const inserted = await tx
      .insert(switches)
      .values({
        superAdminId: ctx.user.id,
        superAdminEmail: ctx.user.email,
        tenantId: id,
        reason,
        mode,
        startedAt: now,
        expiresAt: new Date(now.getTime() + minutes * 60_000),
      })
      .onConflictDoNothing()
      .returning({ id: switches.id });
    if (inserted.length === 0)
      throw new ActionError("You are already switched into a customer. Exit that switch first.");
    Object.assign(record, {
      tenantId: id,
      targetType: "switch",
      targetId: inserted[0].id,
      details: { reason, mode, minutes },
    });
    return {
      ok: true,
      message: `Switched into ${customer.name} (${mode}).`,
      data: { redirect: "/home" },
    };
  },
);

async function end(tx: Tx, switchId: string, byEmail: string, reason: string) {
  const [ended] = await tx
    .update(switches)
    .set({ endedAt: new Date(), endedByEmail: byEmail, endReason: reason })
    .where(and(eq(switches.id, switchId), isNull(switches.endedAt)))
    .returning({ tenantId: switches.tenantId, superAdminEmail: switches.superAdminEmail });
  if (!ended) throw new NotFoundError();
  return ended;
}

/** Exit: a switched super-admin leaves; allowed in read mode too, as it changes no customer data. */
export const exitSwitchAction = platformAction(
  { name: "switches.end", permission: "switches.exit", schema: z.object({}), writes: false },
  async (tx, _input, ctx, record) => {
    const switchId = ctx.activeSwitch!.id;
    const ended = await end(tx, switchId, ctx.user.email, "exit");
    Object.assign(record, {
      tenantId: ended.tenantId,
      actingAs: switchId,
      targetType: "switch",
      targetId: switchId,
      details: { reason: "exit" },
    });
    return { ok: true, data: { redirect: "/customers" } };
  },
);

/** Another super-admin ends a switch from the switches list, with a reason. */
export const endSwitchAction = platformAction(
  {
    name: "switches.end",
    permission: "switches.start",
    schema: endSwitchSchema,
    revalidate: "/switches",
  },
  async (tx, { switchId, reason }, ctx, record) => {
    const ended = await end(tx, switchId, ctx.user.email, reason);
    Object.assign(record, {
      tenantId: ended.tenantId,
      targetType: "switch",
      targetId: switchId,
      details: { reason, of: ended.superAdminEmail },
    });
    return { ok: true, message: `Ended ${ended.superAdminEmail}'s switch.` };
  },
);
