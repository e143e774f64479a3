"use client";

// Gradual migration on the Databases page: starting a queue, and pausing or resuming it.
import { useActionState } from "react";
import { ActionMessage } from "@/components/ui/action-message";
import { buttonClass, Field, inputClass } from "@/components/ui/field";
import { pauseQueueAction, resumeQueueAction, startQueueAction } from "@/lib/placement/actions";

export function StartQueueForm({
  targets,
  defaultThreshold,
}: {
  targets: string[];
  defaultThreshold: number;
}) {
  const [state, action, pending] = useActionState(startQueueAction, null);
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  if (targets.length === 0)
    return <p className="text-sm text-slate-600">No active dedicated database is registered.</p>;
  return (
    <form action={action} aria-label="Start a gradual migration" className="space-y-3" noValidate>
      <Field
        id="queue-threshold"
        label="Customers with at least this many rows"
        errors={errors?.threshold}
      >
        <input
          id="queue-threshold"
          name="threshold"
          inputMode="numeric"
          defaultValue={defaultThreshold}
          className={inputClass}
          aria-invalid={Boolean(errors?.threshold)}
        />
      </Field>
      <Field id="queue-to" label="Move them to">
        <select id="queue-to" name="to" className={inputClass}>
          {targets.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </Field>
      <button type="submit" disabled={pending} className={buttonClass}>
        {pending ? "Starting…" : "Start: smallest first, one at a time"}
      </button>
      <ActionMessage state={state} />
    </form>
  );
}

export function QueueToggle({ id, status }: { id: string; status: "running" | "paused" }) {
  const [state, action, pending] = useActionState(
    status === "running" ? pauseQueueAction : resumeQueueAction,
    null,
  );
  return (
    <form action={action} className="flex items-center gap-3">
      <input type="hidden" name="id" value={id} />
      <button
        type="submit"
        disabled={pending}
        className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-100"
      >
        {status === "running" ? "Pause" : "Resume"}
      </button>
      <ActionMessage state={state} />
    </form>
  );
}
