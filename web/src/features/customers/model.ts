// The customer directory's logic, pure (tested in model.test.ts): one customer's history made
// from their orders' histories, what a search box's text asks of the server, the page's size.
import type { Schemas } from "../../api/client";

export type HistoryEntry = Schemas["HistoryEntry"];
export type CustomerOrder = Schemas["CustomerPageOrder"];
/** A history entry with the order it is about, for the merged list. */
export type Merged = HistoryEntry & { order: Pick<CustomerOrder, "id" | "number" | "title"> };

export const PAGE_SIZE = 50;
// The orders whose histories the page merges: the newest ones (a firm's number may have
// hundreds of orders; their older histories are on each order's card).
export const HISTORY_ORDERS = 20;

/** Each order's history (oldest first, as the order's history route answers) merged into one,
 * newest first; an entry seen twice (an event about two orders) is listed once. */
export function mergeHistories(perOrder: { order: CustomerOrder; entries: HistoryEntry[] }[]): Merged[] {
  const seen = new Set<string>();
  const out: Merged[] = [];
  for (const { order, entries } of perOrder) {
    for (const entry of entries) {
      if (seen.has(entry.event_id)) continue;
      seen.add(entry.event_id);
      out.push({ ...entry, order: { id: order.id, number: order.number, title: order.title } });
    }
  }
  const time = (e: Merged): number => new Date(e.at).getTime();
  // Newest first; one instant's entries keep their order's own sequence (higher version later).
  return out.sort((a, b) => time(b) - time(a) || b.order.number - a.order.number || (b.version ?? 0) - (a.version ?? 0));
}

/** The search box's text as the directory's `q`: spaces folded; blank is everyone. */
export const searchQuery = (text: string): string => text.split(/\s+/).filter(Boolean).join(" ");

/** The `tel:` link of a number as the orders hold it (E.164, or as typed): digits and `+`. */
export const telHref = (phone: string): string => `tel:${phone.replace(/[^0-9+]/g, "")}`;

/** The rows after loading one more page: a row already there (the list moved while paging,
 * a customer's activity lifting them up) is not listed twice. */
export function appendPage<T extends { digits: string }>(had: T[], page: T[]): T[] {
  const known = new Set(had.map((c) => c.digits));
  return [...had, ...page.filter((c) => !known.has(c.digits))];
}
