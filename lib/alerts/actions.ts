"use server";

import { z } from "zod";
import { ActionError, platformAction } from "@/lib/auth/action";
import { acknowledgeAlert } from "./queries";

const alertIdSchema = z.object({ id: z.uuid({ message: "An alert's ID is a UUID." }) });

/** A super-admin acknowledges an alert: it leaves the open ones (the next like it is new). */
export const acknowledgeAlertAction = platformAction(
  {
    name: "alerts.acknowledge",
    permission: "alerts.manage",
    schema: alertIdSchema,
    revalidate: "/alerts",
  },
  async (tx, input, ctx, record) => {
    Object.assign(record, { targetType: "alert", targetId: input.id });
    const done = await acknowledgeAlert(tx, input.id, ctx.user.email);
    if (!done) throw new ActionError("That alert is acknowledged already, or not there.");
    Object.assign(record, { tenantId: done.tenantId ?? undefined, details: { kind: done.kind } });
    return { ok: true, message: "Acknowledged." };
  },
);
