"use client";

import { useRouter } from "next/navigation";
import { useActionState, useEffect, useState } from "react";
import { formatCustomerId } from "@/lib/customers/ids";
import { exitSwitchAction } from "@/lib/switches/actions";

function left(ms: number) {
  if (ms <= 0) return "expired";
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1000);
  return minutes >= 60
    ? `${Math.floor(minutes / 60)} h ${minutes % 60} min left`
    : `${minutes}:${String(seconds).padStart(2, "0")} left`;
}

/** Shown on every page while a super-admin is switched into a customer. */
export function SwitchBanner({
  customer,
  mode,
  expiresAt,
}: {
  customer: { id: string; name: string };
  mode: "read" | "write";
  expiresAt: string;
}) {
  const router = useRouter();
  const [state, exit, pending] = useActionState(exitSwitchAction, null);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const remaining = new Date(expiresAt).getTime() - now;
  const expired = remaining <= 0;
  useEffect(() => {
    // Past its end the switch is over: the next request ends it on the server.
    if (expired) router.refresh();
  }, [expired, router]);
  useEffect(() => {
    if (state?.ok) {
      router.push(state.data?.redirect ?? "/");
      router.refresh();
    }
  }, [state, router]);
  return (
    <div
      role="region"
      aria-label="Switched into a customer"
      className="flex items-center justify-between bg-amber-100 px-8 py-2 text-sm text-amber-950"
    >
      <span>
        Switched into <strong>{customer.name}</strong>{" "}
        <span className="font-mono">({formatCustomerId(customer.id)})</span> ·{" "}
        {mode === "read" ? "read only" : "read and write"} ·{" "}
        <span aria-live="off">{left(remaining)}</span>
      </span>
      <form action={exit} className="flex items-center gap-3">
        {state && !state.ok && <span role="alert">{state.error}</span>}
        <button
          type="submit"
          disabled={pending}
          className="rounded-md border border-amber-400 bg-white px-3 py-1 font-medium hover:bg-amber-50"
        >
          Exit
        </button>
      </form>
    </div>
  );
}
