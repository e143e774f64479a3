// The console's word on a customer's trial, on every page of its users (and of a switch into
// it): ending within a week (7, 3, 1 days: more urgent as it nears), or ended and read-only.
import { isReadOnly, readOnlyMessage } from "@/lib/customers/lifecycle";
import { trialDaysLeft } from "@/lib/customers/trials";

export function TrialBanner({
  customer,
}: {
  customer: { name: string; status: string; trialEndsAt?: Date | null };
}) {
  if (isReadOnly(customer))
    return (
      <div role="alert" className="bg-red-50 px-8 py-2 text-sm text-red-800">
        {readOnlyMessage(customer)}
      </div>
    );
  const days = trialDaysLeft(customer);
  if (days === null) return null;
  return (
    <div
      role="status"
      className={`px-8 py-2 text-sm ${days <= 1 ? "bg-red-50 text-red-800" : days <= 3 ? "bg-amber-50 text-amber-900" : "bg-sky-50 text-sky-900"}`}
    >
      {customer.name}&apos;s trial ends in {days} {days === 1 ? "day" : "days"}, on{" "}
      {customer.trialEndsAt!.toISOString().slice(0, 10)}: after that the console is read-only until
      a plan is chosen.
    </div>
  );
}
