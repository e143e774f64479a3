"use server";

import { eq } from "drizzle-orm";
import { z } from "zod";
import { customers } from "@/db/schema";
import { ActionError, NotFoundError, platformAction } from "@/lib/auth/action";
import { requireFreshCode } from "@/lib/auth/step-up";
import { isBlocked } from "@/lib/customers/lifecycle";
import { endSwitch, openSwitch } from "./mutations";
import { endSwitchSchema, startSwitchSchema } from "./schemas";

export const startSwitchAction = platformAction(
  { name: "switches.start", permission: "switches.start", schema: startSwitchSchema },
  async (tx, { id, reason, mode, minutes, code }, ctx, record) => {
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
    // Changing a customer's data asks for a second factor again, now (step-up).
    if (mode === "write") await requireFreshCode(tx, ctx, code, "switch in write mode");
    const switchId = await openSwitch(tx, {
      superAdmin: ctx.user,
      tenantId: id,
      reason,
      mode,
      minutes,
    });
    if (!switchId)
      throw new ActionError("You are already switched into a customer. Exit that switch first.");
    Object.assign(record, {
      tenantId: id,
      targetType: "switch",
      targetId: switchId,
      details: { reason, mode, minutes },
    });
    return {
      ok: true,
      message: `Switched into ${customer.name} (${mode}).`,
      data: { redirect: "/home" },
    };
  },
);

/** Exit: a switched super-admin leaves; allowed in read mode too, as it changes no customer data. */
export const exitSwitchAction = platformAction(
  { name: "switches.end", permission: "switches.exit", schema: z.object({}), writes: false },
  async (tx, _input, ctx, record) => {
    const switchId = ctx.activeSwitch!.id;
    const ended = await endSwitch(tx, switchId, ctx.user.email, "exit");
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
    const ended = await endSwitch(tx, switchId, ctx.user.email, reason);
    Object.assign(record, {
      tenantId: ended.tenantId,
      targetType: "switch",
      targetId: switchId,
      details: { reason, of: ended.superAdminEmail },
    });
    return { ok: true, message: `Ended ${ended.superAdminEmail}'s switch.` };
  },
);
