import { inputClass } from "@/components/ui/field";

export function PlanSelect({
  id,
  defaultValue,
  plans,
}: {
  id: string;
  defaultValue: string;
  plans: { name: string; displayName: string }[];
}) {
  return (
    <select id={id} name="plan" defaultValue={defaultValue} className={inputClass}>
      {plans.map((p) => (
        <option key={p.name} value={p.name}>
          {p.displayName}
        </option>
      ))}
    </select>
  );
}
