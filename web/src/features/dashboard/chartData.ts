// Report rows → what the charts and their tables show. The rows are flat dictionaries
// (contracts/api/reports.py: one CSV line each), so each field is read and checked here,
// once, and the components get typed data.

export type Row = Record<string, string | number | boolean | null>;

const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);
const numOrNull = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const str = (v: unknown): string => (typeof v === "string" ? v : v == null ? "" : String(v));

export type FunnelBar = { key: string; label: string; entered: number; advanced: number; conversion: number | null };

export function funnelBars(rows: readonly Row[]): FunnelBar[] {
  return rows.map((r) => ({
    key: str(r.stage),
    label: str(r.title) || str(r.stage),
    entered: num(r.entered),
    advanced: num(r.advanced),
    conversion: numOrNull(r.conversion),
  }));
}

export type DurationBar = { key: string; label: string; count: number; median: number | null; p90: number | null };

/** Time in stage in hours; stages nobody left in the period stay in the table (a dash), and
 * out of the chart, where a zero bar would read as "no time at all". */
export function durationBars(rows: readonly Row[]): DurationBar[] {
  return rows.map((r) => ({
    key: str(r.stage),
    label: str(r.title) || str(r.stage),
    count: num(r.count),
    median: numOrNull(r.median_hours),
    p90: numOrNull(r.p90_hours),
  }));
}

export type OverdueItem = {
  item: "task" | "order";
  orderId: string | null;
  number: number | null;
  title: string;
  stage: string;
  since: string;
  who: string;
};

export type Overdue = { tasks: OverdueItem[]; orders: OverdueItem[] };

export function overdueItems(rows: readonly Row[]): Overdue {
  const items: OverdueItem[] = rows.map((r) => ({
    item: r.item === "order" ? "order" : "task",
    orderId: r.order_id ? str(r.order_id) : null,
    number: numOrNull(r.number),
    title: str(r.title),
    stage: str(r.stage_title) || str(r.stage),
    since: str(r.item === "order" ? r.stage_entered_at : r.due_at),
    who: str(r.assignee) || str(r.assignee_role),
  }));
  return { tasks: items.filter((i) => i.item === "task"), orders: items.filter((i) => i.item === "order") };
}

export type LoadBar = {
  key: string;
  label: string;
  role: string;
  visits: number;
  booked: number;
  capacity: number;
  utilisation: number | null;
};

export function loadBars(rows: readonly Row[]): LoadBar[] {
  return rows.map((r) => ({
    key: str(r.id),
    label: str(r.display_name) || str(r.username) || str(r.id),
    role: str(r.role),
    visits: num(r.visits),
    booked: num(r.booked_hours),
    capacity: num(r.working_hours),
    utilisation: numOrNull(r.utilisation),
  }));
}

/** Hours as a person reads them: "36 ч" → days past two days ("3,5 д"); one decimal at most. */
export function hoursText(hours: number | null, lang: "ru" | "en"): string {
  if (hours === null) return "—";
  const locale = lang === "en" ? "en-GB" : "ru-RU";
  const fmt = (n: number): string => n.toLocaleString(locale, { maximumFractionDigits: 1 });
  if (hours >= 48) return lang === "en" ? `${fmt(hours / 24)} d` : `${fmt(hours / 24)} д`;
  return lang === "en" ? `${fmt(hours)} h` : `${fmt(hours)} ч`;
}

export function percentText(share: number | null, lang: "ru" | "en"): string {
  if (share === null) return "—";
  return share.toLocaleString(lang === "en" ? "en-GB" : "ru-RU", { style: "percent", maximumFractionDigits: 0 });
}

export type LateOrder = {
  orderId: string;
  number: number | null;
  title: string;
  stage: string;
  promised: string;
  expected: string;
  daysLate: number;
};

/** Whole calendar days from `from` to `to` (both YYYY-MM-DD), or null if either is not a day. */
export function daysBetween(from: string, to: string): number | null {
  const at = (day: string): number | null => {
    const found = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
    return found ? Date.UTC(Number(found[1]), Number(found[2]) - 1, Number(found[3])) : null;
  };
  const a = at(from);
  const b = at(to);
  return a === null || b === null ? null : Math.round((b - a) / 86_400_000);
}

/** The forecast's late rows (the server's `late`: the expected day passes the promised one),
 * with how many days late; the server's order (late first, by the expected day) is kept. */
export function lateOrders(rows: readonly Row[]): LateOrder[] {
  return rows
    .filter((r) => r.late === true && r.order_id)
    .map((r) => {
      const promised = str(r.promised_date);
      const expected = str(r.expected_close);
      return {
        orderId: str(r.order_id),
        number: numOrNull(r.number),
        title: str(r.title),
        stage: str(r.stage_title) || str(r.stage),
        promised,
        expected,
        daysLate: Math.max(daysBetween(promised, expected) ?? 0, 0),
      };
    });
}
