"use server";

import { z } from "zod";
import { ActionError, platformAction } from "@/lib/auth/action";
import { snapshotIn } from "./snapshot";

/** A super-admin's on-demand snapshot, in the action's own transaction with its audit event. */
export const refreshUsageAction = platformAction(
  { name: "usage.refresh", permission: "usage.read-all", schema: z.object({}), revalidate: "/" },
  async (tx, _input, _ctx, record) => {
    const result = await snapshotIn(tx, "refresh");
    if (result.skipped)
      throw new ActionError("A snapshot is already running; its figures will appear when it ends.");
    record.details = {
      runId: result.runId,
      customers: result.customers,
      changed: result.changed,
      ms: Math.round(result.ms),
    };
    return {
      ok: true,
      message: `Snapshot taken: ${result.customers} customers (${result.changed} changed) in ${Math.round(result.ms)} ms.`,
    };
  },
);
