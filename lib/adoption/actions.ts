"use server";

import { ActionError, ownerUrlFor, platformOperation, startRecorded } from "@/lib/auth/action";
import { runAdoption, runRevert, runVerification, type RunHooks, type RunResult } from "./run";
import { liveOwner } from "./queries";
import { planOptionsOf, runAdoptionSchema, schemaTargetSchema } from "./schemas";

/**
 * Starts a run and answers as soon as it holds the lock and is recorded, so the dashboard can
 * watch its steps. A run refused before it starts (another holds the lock) answers with its
 * instructions.
 */
async function startInBackground(start: (hooks: RunHooks) => Promise<RunResult>): Promise<string> {
  const first = await startRecorded((onStart) => start({ onStart }));
  if ("id" in first) return first.id;
  if (!first.result.ok) throw new ActionError(first.result.instructions);
  return first.result.runId;
}

export const startAdoptionAction = platformOperation(
  {
    name: "adoption.run",
    permission: "adoption.manage",
    schema: runAdoptionSchema,
    revalidate: "/adoption",
  },
  async (input, _ctx, record) => {
    const url = ownerUrlFor("Adoption");
    // From a column, the rows go to the column's customers, not to this one.
    const owner = input.fromColumn ? null : await liveOwner(input.tenant);
    if (owner && input.confirmOwner !== owner.id) {
      throw new ActionError(
        `${owner.name} is a live customer: its users would see every existing row at once. Confirm that it owns them, then run again.`,
      );
    }
    const runId = await startInBackground((hooks) =>
      runAdoption(url, { schema: input.schema, ...planOptionsOf(input), ...hooks }),
    );
    Object.assign(record, {
      targetType: "schema",
      targetId: input.schema,
      details: { runId, tenant: input.tenant, global: input.global, fromColumn: input.fromColumn },
    });
    return { ok: true, message: `Adoption of ${input.schema} started.`, data: { runId } };
  },
);

export const startRevertAction = platformOperation(
  {
    name: "adoption.revert",
    permission: "adoption.manage",
    schema: schemaTargetSchema,
    revalidate: "/adoption",
  },
  async (input, _ctx, record) => {
    const url = ownerUrlFor("Adoption");
    const runId = await startInBackground((hooks) =>
      runRevert(url, { schema: input.schema, ...hooks }),
    );
    Object.assign(record, { targetType: "schema", targetId: input.schema, details: { runId } });
    return { ok: true, message: `Revert of ${input.schema} started.`, data: { runId } };
  },
);

export const verifyNowAction = platformOperation(
  {
    name: "adoption.verify",
    permission: "adoption.manage",
    schema: schemaTargetSchema,
    revalidate: "/adoption",
  },
  async (input, _ctx, record) => {
    const result = await runVerification(ownerUrlFor("Adoption"), { schema: input.schema });
    if (!result.ok) throw new ActionError(result.instructions);
    Object.assign(record, {
      targetType: "schema",
      targetId: input.schema,
      details: { runId: result.runId, summary: result.report.summary.text },
    });
    return { ok: true, message: `Verified: ${result.report.summary.text}.` };
  },
);
