import type { RequestContext } from "@/lib/auth/context";
import { formatCustomerId } from "@/lib/customers/ids";
import { SignOutButton } from "@/components/auth/sign-out-button";

export function Header({ ctx }: { ctx: RequestContext }) {
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
