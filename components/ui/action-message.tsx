import type { ActionState } from "@/lib/auth/action";

/** The sentence an action answered with: an alert when it failed, a status when it worked. */
export function ActionMessage({ state }: { state: ActionState }) {
  if (!state) return null;
  if (!state.ok) {
    return (
      <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
        {state.error}
      </p>
    );
  }
  if (!state.message) return null;
  return (
    <p role="status" className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
      {state.message}
    </p>
  );
}
