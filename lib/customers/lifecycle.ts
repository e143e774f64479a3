// The customer lifecycle (docs/architecture.md §5): trial → active → suspended ↔ active → offboarding →
// deleted, and nothing else. Suspending and offboarding need a reason. offboarding → erased is
// not a status change anyone sets: the erase (lib/portability/erase.ts) ends there. A trial past
// its end becomes expired (lib/customers/trials.ts): read-only, until a super-admin extends the
// trial (back to trial, with a reason) or activates it (a plan chosen).
import type { customerStatuses } from "@/db/schema";

export type CustomerStatus = (typeof customerStatuses)[number];

export const TRANSITIONS = [
  { from: "trial", to: "active", verb: "Activate", reasonRequired: false },
  { from: "expired", to: "active", verb: "Activate", reasonRequired: false },
  { from: "active", to: "suspended", verb: "Suspend", reasonRequired: true },
  { from: "suspended", to: "active", verb: "Reactivate", reasonRequired: false },
  { from: "active", to: "offboarding", verb: "Start offboarding", reasonRequired: true },
  { from: "offboarding", to: "deleted", verb: "Delete", reasonRequired: true },
] as const satisfies readonly {
  from: CustomerStatus;
  to: CustomerStatus;
  verb: string;
  reasonRequired: boolean;
}[];

export type Transition = (typeof TRANSITIONS)[number];

export function findTransition(from: string, to: string): Transition | undefined {
  return TRANSITIONS.find((t) => t.from === from && t.to === to);
}

export function transitionsFrom(status: string): Transition[] {
  return TRANSITIONS.filter((t) => t.from === status);
}

/** A trial past its end still reads `trial` in the table; the console shows it as expired. */
export function isTrialExpired(
  customer: { status: string; trialEndsAt: Date | null },
  now = new Date(),
): boolean {
  return customer.status === "trial" && customer.trialEndsAt !== null && customer.trialEndsAt < now;
}

/**
 * Whether a customer's users may only read: an expired trial (the status, or a trial whose end
 * has passed before the worker noticed). Their reads work; every write is refused with a sentence.
 */
export function isReadOnly(
  customer: { status: string; trialEndsAt?: Date | null },
  now = new Date(),
): boolean {
  return (
    customer.status === "expired" ||
    isTrialExpired({ status: customer.status, trialEndsAt: customer.trialEndsAt ?? null }, now)
  );
}

export function readOnlyMessage(customer: { name: string; trialEndsAt?: Date | null }): string {
  const ended = customer.trialEndsAt
    ? ` on ${customer.trialEndsAt.toISOString().slice(0, 10)}`
    : "";
  return `${customer.name}'s trial ended${ended}: everything can be read, nothing changed, until a super-admin extends the trial or a plan is chosen.`;
}

/**
 * A customer in one of these states may not use the console: its users' sign-in and every
 * request refuse, and platform staff may switch into it to read only.
 */
export const BLOCKED_STATUSES: readonly string[] = [
  "suspended",
  "offboarding",
  "deleted",
  "erased",
] satisfies CustomerStatus[];

export function isBlocked(status: string): boolean {
  return BLOCKED_STATUSES.includes(status);
}
