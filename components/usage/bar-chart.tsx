"use client";

// Charts through recharts (maintained, React 19, SVG with keyboard-reachable tooltips). One
// colour from a palette that keeps contrast for colour-blind readers; numbers on hover, and
// every chart sits beside a table of the same figures.
import {
  Bar,
  BarChart as Chart,
  CartesianGrid,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { number } from "@/components/ui/format";

export function BarChart({
  data,
  label,
}: {
  data: { name: string; value: number }[];
  label: string;
}) {
  return (
    <div
      role="img"
      aria-label={`${label}: ${data.map((d) => `${d.name} ${d.value}`).join(", ")}`}
      className="h-40 w-full"
    >
      <ResponsiveContainer width="100%" height="100%">
        <Chart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} accessibilityLayer>
          <CartesianGrid vertical={false} stroke="#e2e8f0" />
          <XAxis dataKey="name" tick={{ fontSize: 11 }} interval="preserveStartEnd" />
          <YAxis allowDecimals={false} width={40} tick={{ fontSize: 11 }} />
          <Tooltip formatter={(value) => [number.format(Number(value)), label]} />
          <Bar dataKey="value" fill="#4f46e5" isAnimationActive={false} />
        </Chart>
      </ResponsiveContainer>
    </div>
  );
}
