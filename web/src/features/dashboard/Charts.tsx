// The charts (recharts: SVG drawn by React, no <style> injected, so the CSP holds). Each is
// hidden from assistive technology and skipped by the keyboard: the table under it says the
// same numbers and its buttons drill down; a click on a bar drills down too, for the mouse.
// No animation: a bar growing from zero shows a wrong number for a moment after every change
// of period (and in every screenshot), and motion is not what a director comes for.
import type { ReactElement, ReactNode } from "react";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { DurationBar, FunnelBar, LoadBar } from "./chartData";

const BLUE = "#1a66c9";
const TEAL = "#2e8b57";
const AMBER = "#c77700";
const RED = "#b3261e";
const GREY = "#9aa8b8";

type Pick = (index: number) => void;

/** Room for the stage names on the left, and a row's height per bar so none is squeezed. */
function Frame({ rows, children }: { rows: number; children: ReactElement }): ReactNode {
  return (
    <div className="chart" aria-hidden="true">
      <ResponsiveContainer width="100%" height={Math.max(140, 48 + rows * 34)}>
        {children}
      </ResponsiveContainer>
    </div>
  );
}

// recharts hands a bar's click its index among the data.
const at =
  (pick: Pick) =>
  (_data: unknown, index: number): void =>
    pick(index);

export function FunnelChart({ bars, names, onPick }: { bars: FunnelBar[]; names: [string, string]; onPick: Pick }): ReactNode {
  return (
    <Frame rows={bars.length}>
      <BarChart data={bars} layout="vertical" accessibilityLayer={false} margin={{ left: 8, right: 16 }}>
        <CartesianGrid horizontal={false} />
        <XAxis type="number" allowDecimals={false} />
        <YAxis type="category" dataKey="label" width={110} tick={{ fontSize: 12 }} />
        <Tooltip />
        <Legend itemSorter={null} />
        <Bar isAnimationActive={false} dataKey="entered" name={names[0]} fill={BLUE} cursor="pointer" onClick={at(onPick)} />
        <Bar isAnimationActive={false} dataKey="advanced" name={names[1]} fill={TEAL} />
      </BarChart>
    </Frame>
  );
}

export function DurationChart({
  bars,
  names,
  unit,
  onPick,
}: {
  bars: DurationBar[];
  names: [string, string];
  unit: string;
  onPick: Pick;
}): ReactNode {
  return (
    <Frame rows={bars.length}>
      <BarChart data={bars} layout="vertical" accessibilityLayer={false} margin={{ left: 8, right: 16 }}>
        <CartesianGrid horizontal={false} />
        <XAxis type="number" unit={unit} />
        <YAxis type="category" dataKey="label" width={110} tick={{ fontSize: 12 }} />
        <Tooltip />
        <Legend itemSorter={null} />
        <Bar isAnimationActive={false} dataKey="median" name={names[0]} fill={BLUE} cursor="pointer" onClick={at(onPick)} />
        <Bar isAnimationActive={false} dataKey="p90" name={names[1]} fill={AMBER} cursor="pointer" onClick={at(onPick)} />
      </BarChart>
    </Frame>
  );
}

export function OverdueChart({ bars, onPick }: { bars: { label: string; count: number }[]; onPick: Pick }): ReactNode {
  return (
    <Frame rows={bars.length}>
      <BarChart data={bars} layout="vertical" accessibilityLayer={false} margin={{ left: 8, right: 16 }}>
        <CartesianGrid horizontal={false} />
        <XAxis type="number" allowDecimals={false} />
        <YAxis type="category" dataKey="label" width={110} tick={{ fontSize: 12 }} />
        <Tooltip />
        <Bar isAnimationActive={false} dataKey="count" fill={RED} cursor="pointer" onClick={at(onPick)} />
      </BarChart>
    </Frame>
  );
}

export function LoadChart({ bars, names, onPick }: { bars: LoadBar[]; names: [string, string]; onPick: Pick }): ReactNode {
  return (
    <Frame rows={bars.length}>
      <BarChart data={bars} layout="vertical" accessibilityLayer={false} margin={{ left: 8, right: 16 }}>
        <CartesianGrid horizontal={false} />
        <XAxis type="number" />
        <YAxis type="category" dataKey="label" width={110} tick={{ fontSize: 12 }} />
        <Tooltip />
        <Legend itemSorter={null} />
        <Bar isAnimationActive={false} dataKey="booked" name={names[0]} fill={BLUE} cursor="pointer" onClick={at(onPick)} />
        <Bar isAnimationActive={false} dataKey="capacity" name={names[1]} fill={GREY} />
      </BarChart>
    </Frame>
  );
}
