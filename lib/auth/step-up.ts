// Step-up (docs/architecture.md §16): an operation that needs a fresh code from the
// authenticator app — switching into a customer in write mode — checks one inside its own
// transaction. Wrong codes count against the sign-in throttle and are audited, in transactions
// of their own (the operation's rolls back).
import "server-only";
import type { Tx } from "@/db/tenant";
import { requestMeta } from "@/lib/audit/request";
import { ActionError, auditAccess } from "./action";
import type { RequestContext } from "./context";
import { recordAttempt, retryInMinutes, throttledUntil } from "./sign-in";
import { spendSecondFactor } from "./two-factor";

export async function requireFreshCode(
  tx: Tx,
  ctx: RequestContext,
  code: string | undefined,
  during: string,
): Promise<void> {
  const now = new Date();
  const ip = (await requestMeta()).ip ?? "unknown";
  const until = await throttledUntil(tx, ctx.user.email, ip, now);
  if (until)
    throw new ActionError(
      `Too many wrong codes. Try again in ${retryInMinutes(until, now)} minutes.`,
    );
  if (!code)
    throw new ActionError(`Enter the current code from your authenticator app to ${during}.`);
  const used = await spendSecondFactor(tx, ctx.user.id, code, { recovery: false });
  if (used.ok) return;
  await recordAttempt(ctx.user.email, ip, false, now);
  await auditAccess(ctx, "two-factor.verify", "failed", {
    targetType: "user",
    targetId: ctx.user.id,
    details: { during },
  });
  throw new ActionError(
    "The code is not right, or it was used already. Enter the current code from your authenticator app.",
  );
}
