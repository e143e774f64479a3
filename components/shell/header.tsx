import Link from "next/link";
import type { RequestContext } from "@/lib/auth/context";
import { formatCustomerId } from "@/lib/customers/ids";
import { SignOutButton } from "@/components/auth/sign-out-button";

export function Header({ ctx, openAlerts }: { ctx: RequestContext; openAlerts?: number }) {
  return (
    <header className="flex h-14 items-center justify-between border-b border-slate-200 bg-white px-8">
      <span className="text-sm text-slate-500">
        {ctx.customer ? (
          <>
            {ctx.customer.name}{" "}
            <span className="font-mono text-xs">({formatCustomerId(ctx.customer.id)})</span>
          </>
        ) : (
          "Platform console"
        )}
      </span>
      <div className="flex items-center gap-4 text-sm">
        {openAlerts !== undefined && (
          <Link
            href="/alerts"
            aria-label={`${openAlerts} open alerts`}
            className={
              openAlerts ? "font-medium text-red-700 underline" : "text-slate-500 underline"
            }
          >
            Alerts ({openAlerts})
          </Link>
        )}
        <span className="text-slate-600" data-testid="signed-in-as">
          {ctx.user.email} ·{" "}
          {ctx.platformRole === "super_admin"
            ? ctx.activeSwitch
              ? "super-admin, switched"
              : "super-admin"
            : ctx.role}
        </span>
        <SignOutButton />
      </div>
    </header>
  );
}
