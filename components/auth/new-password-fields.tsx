import { Field, inputClass } from "@/components/ui/field";

/** A new password and its repetition, with the server's field errors (lib/auth/password-rules.ts). */
export function NewPasswordFields({
  id,
  labels,
  errors,
}: {
  id: string;
  labels: { password: string; confirm: string };
  errors?: Record<string, string[] | undefined>;
}) {
  return (
    <>
      {(["password", "confirm"] as const).map((name) => (
        <Field key={name} id={`${id}-${name}`} label={labels[name]} errors={errors?.[name]}>
          <input
            id={`${id}-${name}`}
            name={name}
            type="password"
            autoComplete="new-password"
            required
            className={inputClass}
            aria-invalid={Boolean(errors?.[name])}
          />
        </Field>
      ))}
    </>
  );
}
