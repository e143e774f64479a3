// Changes to customers, in the caller's transaction (withPlatform for a super-admin). Each
// returns what it changed so the action can audit before/after.
import "server-only";
import { and, count, eq, sql } from "drizzle-orm";
import { customers, plans } from "@/db/schema";
import type { Tx } from "@/db/tenant";
import { ActionError, NotFoundError } from "@/lib/auth/action";
import { LEGACY_CUSTOMER_ID, withFreshCustomerId } from "./ids";
import { findTransition } from "./lifecycle";

export const STALE =
  "This customer was changed by someone else since you opened it. Reload to see the changes, then try again.";

async function requirePlan(tx: Tx, plan: string) {
  const [row] = await tx.select({ name: plans.name }).from(plans).where(eq(plans.name, plan));
  if (!row) throw new ActionError(`There is no plan called ${plan}.`);
}

export async function createCustomer(
  tx: Tx,
  input: { name: string; contactEmail: string; plan: string; trialDays: number },
  options: { now?: Date; generate?: () => string; attempts?: number } = {},
): Promise<{ id: string; sameName: number; database: string; asPlanned: boolean }> {
  await requirePlan(tx, input.plan);
  const database = await placeNewCustomer(tx, input.plan);
  const now = options.now ?? new Date();
  const [{ sameName }] = await tx
    .select({ sameName: count() })
    .from(customers)
    .where(sql`lower(${customers.name}) = lower(${input.name})`);
  const id = await withFreshCustomerId(
    async (candidate) => {
      const inserted = await tx
        .insert(customers)
        .values({
          id: candidate,
          name: input.name,
          contactEmail: input.contactEmail,
          plan: input.plan,
          database: database.name,
          status: input.trialDays > 0 ? "trial" : "active",
          trialEndsAt:
            input.trialDays > 0 ? new Date(now.getTime() + input.trialDays * 86_400_000) : null,
          createdAt: now,
        })
        .onConflictDoNothing({ target: customers.id })
        .returning({ id: customers.id });
      return inserted[0]?.id ?? false;
    },
    { generate: options.generate, attempts: options.attempts },
  );
  return { id, sameName, database: database.name, asPlanned: database.asPlanned };
}

/**
 * Where a new customer starts (docs/architecture.md §13): on an active database of the kind its
 * plan asks for, the one with the fewest customers; on the primary when there is none of that
 * kind (`asPlanned` false: the console says so, and a move can follow once one is registered).
 */
async function placeNewCustomer(
  tx: Tx,
  plan: string,
): Promise<{ name: string; asPlanned: boolean }> {
  const { rows } = await tx.execute<{ name: string }>(sql`
    select d.name from control.databases d join control.plans p on p.name = ${plan}
     where d.status = 'active' and d.kind = p.placement
     order by (select count(*) from control.customers c where c.database = d.name), d.name
     limit 1`);
  return rows.length
    ? { name: rows[0].name, asPlanned: true }
    : { name: "primary", asPlanned: false };
}

async function current(tx: Tx, id: string) {
  const [row] = await tx.select().from(customers).where(eq(customers.id, id)).for("update");
  if (!row) throw new NotFoundError();
  return row;
}

/** Applies `changes` if the row is still at `version`; returns the row before and after. */
async function update(
  tx: Tx,
  id: string,
  version: number,
  changes: Partial<typeof customers.$inferInsert>,
) {
  const before = await current(tx, id);
  if (before.version !== version) throw new ActionError(STALE);
  const [after] = await tx
    .update(customers)
    .set({ ...changes, version: version + 1 })
    .where(and(eq(customers.id, id), eq(customers.version, version)))
    .returning();
  return { before, after };
}

export function editCustomer(
  tx: Tx,
  input: { id: string; version: number; name: string; contactEmail: string },
) {
  return update(tx, input.id, input.version, {
    name: input.name,
    contactEmail: input.contactEmail,
  });
}

/** A customer admin's own contact email: the same versioned update as a super-admin's edit. */
export function changeContactEmail(
  tx: Tx,
  input: { id: string; version: number; contactEmail: string },
) {
  return update(tx, input.id, input.version, { contactEmail: input.contactEmail });
}

export async function changePlan(
  tx: Tx,
  input: {
    id: string;
    version: number;
    plan: string;
    overrides: Record<string, number | undefined>;
  },
) {
  await requirePlan(tx, input.plan);
  const overrides = Object.fromEntries(
    Object.entries(input.overrides).filter(([, v]) => v !== undefined),
  );
  // A plan chosen for an expired trial ends its read-only time: the customer is active.
  const { status } = await current(tx, input.id);
  return update(tx, input.id, input.version, {
    plan: input.plan,
    quotaOverrides: overrides,
    ...(status === "expired" ? { status: "active" as const } : {}),
  });
}

/**
 * Extends a trial (running or expired) by `days` from its end, or from now if that has passed:
 * the customer is a trial again, and may write.
 */
export async function extendTrial(
  tx: Tx,
  input: { id: string; version: number; days: number; reason: string },
) {
  const row = await current(tx, input.id);
  if (row.status !== "trial" && row.status !== "expired")
    throw new ActionError(`${row.name} is ${row.status}: only a trial can be extended.`);
  const from = Math.max(Date.now(), row.trialEndsAt?.getTime() ?? 0);
  return update(tx, input.id, input.version, {
    status: "trial",
    trialEndsAt: new Date(from + input.days * 86_400_000),
  });
}

export async function transitionCustomer(
  tx: Tx,
  input: { id: string; version: number; to: string; reason: string },
) {
  const row = await current(tx, input.id);
  const transition = findTransition(row.status, input.to);
  if (!transition)
    throw new ActionError(`A customer that is ${row.status} cannot become ${input.to}.`);
  if (transition.reasonRequired && input.reason.trim().length < 5) {
    throw new ActionError(`${transition.verb} needs a reason of at least 5 characters.`);
  }
  if (input.id === LEGACY_CUSTOMER_ID && (input.to === "offboarding" || input.to === "deleted")) {
    throw new ActionError(
      "The legacy customer owns the rows from before multi-tenancy; it cannot be offboarded or deleted.",
    );
  }
  return update(tx, input.id, input.version, { status: transition.to });
}
