// The customer lifecycle (docs/architecture.md §5): trial → active → suspended ↔ active → offboarding →
// deleted, and nothing else. Suspending and offboarding need a reason. offboarding → erased is
// not a status change anyone sets: the erase (lib/portability/erase.ts) ends there.
import type { customerStatuses } from "@/db/schema";

export type CustomerStatus = (typeof customerStatuses)[number];

export const TRANSITIONS = [
  { from: "trial", to: "active", verb: "Activate", reasonRequired: false },
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
