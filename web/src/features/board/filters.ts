// The board's filters as they live in the hash's query (#/board?q=Иванов&mine=1&overdue=1), so
// a reload or a shared link keeps them, and as GET /board and /board/cards take them.
export type Filters = { q: string; mine: boolean; manager: string; assignee: string; overdue: boolean };

export const NO_FILTERS: Filters = { q: "", mine: false, manager: "", assignee: "", overdue: false };

const yes = (v: string | null): boolean => v === "1" || v === "true";

export function parseFilters(search: string): Filters {
  const p = new URLSearchParams(search);
  return {
    q: (p.get("q") ?? "").slice(0, 200),
    mine: yes(p.get("mine")),
    manager: p.get("manager") ?? "",
    assignee: p.get("assignee") ?? "",
    overdue: yes(p.get("overdue")),
  };
}

/** The query string (without "?"); "" with no filters. Stable order, so links compare. */
export function filtersQuery(f: Filters): string {
  const p = new URLSearchParams();
  if (f.q.trim()) p.set("q", f.q.trim());
  if (f.mine) p.set("mine", "1");
  if (f.manager) p.set("manager", f.manager);
  if (f.assignee) p.set("assignee", f.assignee);
  if (f.overdue) p.set("overdue", "1");
  return p.toString();
}

export const hasFilters = (f: Filters): boolean => filtersQuery(f) !== "";

/** The API's query parameters for these filters (nothing for what is off). */
export function apiFilters(f: Filters): { q?: string; mine?: boolean; manager?: string; assignee?: string; overdue?: boolean } {
  return {
    ...(f.q.trim() ? { q: f.q.trim() } : {}),
    ...(f.mine ? { mine: true } : {}),
    ...(f.manager ? { manager: f.manager } : {}),
    ...(f.assignee ? { assignee: f.assignee } : {}),
    ...(f.overdue ? { overdue: true } : {}),
  };
}
