"use client";

import { useRouter } from "next/navigation";
import { useActionState, useEffect, useState } from "react";
import { ActionMessage } from "@/components/ui/action-message";
import { buttonClass, Field, inputClass } from "@/components/ui/field";
import { startSwitchAction } from "@/lib/switches/actions";
import { isBlocked } from "@/lib/customers/lifecycle";
import { SWITCH_MINUTES } from "@/lib/switches/schemas";

export function StartSwitchForm({
  customerId,
  customerName,
  customerStatus,
}: {
  customerId: string;
  customerName: string;
  customerStatus: string;
}) {
  const readOnlyOnly = isBlocked(customerStatus);
  // What the user chose survives a refusal: a form action resets the form to its defaults, which
  // follow these.
  const [mode, setMode] = useState<"read" | "write">("read");
  const [reason, setReason] = useState("");
  const [code, setCode] = useState("");
  const [state, action, pending] = useActionState(startSwitchAction, null);
  const router = useRouter();
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  useEffect(() => {
    if (state?.ok && state.data?.redirect) {
      router.push(state.data.redirect);
      router.refresh();
    }
  }, [state, router]);
  return (
    <form action={action} noValidate className="space-y-4" aria-label="Switch into this customer">
      <input type="hidden" name="id" value={customerId} />
      <p className="text-sm text-slate-600">
        You will see and act in {customerName}&apos;s console as its admins do. {customerName}
        &apos;s admins see this access, with your reason, in their audit trail.
      </p>
      <Field
        id="switch-reason"
        label="Reason (required; a ticket reference is welcome)"
        errors={errors?.reason}
      >
        <textarea
          id="switch-reason"
          name="reason"
          rows={2}
          defaultValue={reason}
          onChange={(e) => setReason(e.currentTarget.value)}
          className={inputClass}
          aria-invalid={Boolean(errors?.reason)}
        />
      </Field>
      <fieldset className="flex gap-6 text-sm">
        <legend className="mb-1 text-sm font-medium text-slate-700">Mode</legend>
        <label className="flex items-center gap-2">
          <input
            type="radio"
            name="mode"
            value="read"
            defaultChecked={mode === "read"}
            onChange={() => setMode("read")}
          />{" "}
          Read only
        </label>
        <label className={`flex items-center gap-2 ${readOnlyOnly ? "text-slate-500" : ""}`}>
          <input
            type="radio"
            name="mode"
            value="write"
            defaultChecked={mode === "write"}
            disabled={readOnlyOnly}
            onChange={() => setMode("write")}
            aria-describedby={readOnlyOnly ? "switch-read-only" : undefined}
          />
          {"Read and write"}
        </label>
      </fieldset>
      {readOnlyOnly && (
        <p id="switch-read-only" className="text-sm text-amber-800">
          {customerName} is {customerStatus}: you can switch in read-only mode only.
        </p>
      )}
      {mode === "write" && (
        <Field
          id="switch-code"
          label="Code from your authenticator app (changing a customer's data asks for a fresh one)"
          errors={errors?.code}
        >
          <input
            id="switch-code"
            name="code"
            defaultValue={code}
            onChange={(e) => setCode(e.currentTarget.value)}
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={8}
            className={inputClass}
          />
        </Field>
      )}
      <Field id="switch-minutes" label="For" errors={errors?.minutes}>
        <select id="switch-minutes" name="minutes" defaultValue={30} className={inputClass}>
          {SWITCH_MINUTES.map((m) => (
            <option key={m} value={m}>
              {m < 60 ? `${m} minutes` : `${m / 60} hour${m === 60 ? "" : "s"}`}
            </option>
          ))}
        </select>
      </Field>
      <ActionMessage state={state} />
      <button type="submit" disabled={pending} className={buttonClass}>
        Switch into {customerName}
      </button>
    </form>
  );
}
