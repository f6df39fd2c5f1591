// The calendar's requests: a whole crew's week in one GET, booking, changing a visit, and the
// order numbers its visits are labelled with.
import { api, ApiError, ok, type Schemas } from "../../api/client";
import { errorText } from "../../app/errors";
import type { CommonKey } from "../../i18n/common";
import type { Translate } from "../../i18n/messages";
import type { CalendarKey } from "./messages";
import type { CrewRole, Entry, Range, VisitKind } from "./model";

/** Every member of `role` with their free and busy windows in the range (one request). */
export function loadCalendar(role: CrewRole, range: Range, signal: AbortSignal): Promise<Entry[]> {
  const query = { role, from: range.from.toISOString(), to: range.to.toISOString() };
  return ok(api.GET("/api/v1/crew/calendar", { params: { query }, signal }));
}

export type Slot = { memberId: string; start: Date; end: Date };

export function bookVisit(orderId: string, kind: VisitKind, slot: Slot, note?: string): Promise<Schemas["Booked"]> {
  const text = note?.trim();
  return ok(
    api.POST("/api/v1/orders/{order_id}/visits", {
      params: { path: { order_id: orderId } },
      body: {
        kind,
        assignee_id: slot.memberId,
        starts_at: slot.start.toISOString(),
        ends_at: slot.end.toISOString(),
        ...(text ? { note: text } : {}),
      },
    }),
  );
}

export type Change = Schemas["ChangeVisit"];

export function changeVisit(visitId: string, change: Change): Promise<Schemas["Visit"]> {
  return ok(api.PATCH("/api/v1/visits/{visit_id}", { params: { path: { visit_id: visitId } }, body: change }));
}

/** A move: the times, the assignee when it changes, and the version the user saw. */
export function moveChange(slot: Slot, oldMemberId: string, version: number | null): Change {
  return {
    cancelled: false,
    starts_at: slot.start.toISOString(),
    ends_at: slot.end.toISOString(),
    ...(slot.memberId !== oldMemberId ? { assignee_id: slot.memberId } : {}),
    ...(version ? { expected_version: version } : {}),
  };
}

// Order numbers for the labels: the schedule names orders by id only. Cached for the page's
// life (an order's number never changes); an order the user may not see stays unnamed.
const numbers = new Map<string, number | null>();

export async function orderNumbers(ids: string[], signal: AbortSignal): Promise<Map<string, number | null>> {
  const missing = [...new Set(ids)].filter((id) => id && !numbers.has(id));
  await Promise.all(
    missing.map(async (id) => {
      try {
        const card = await ok(api.GET("/api/v1/board/cards/{order_id}", { params: { path: { order_id: id } }, signal }));
        numbers.set(id, card.number);
      } catch (err) {
        if (err instanceof ApiError && (err.status === 404 || err.status === 403)) numbers.set(id, null);
        // other failures: try again on the next load
      }
    }),
  );
  return new Map(numbers);
}

const BY_CODE: Record<string, CalendarKey> = {
  outside_working_hours: "error.outside_working_hours",
  member_absent: "error.member_absent",
  member_inactive: "error.member_inactive",
  wrong_role: "error.wrong_role",
  visit_not_active: "error.visit_not_active",
  invalid_range: "error.invalid_range",
  version_conflict: "error.version_conflict",
  slot_taken: "book.taken",
};

/** Human text for a refusal: scheduling's own codes here, the rest as everywhere. */
export function calendarError(err: unknown, t: Translate<CalendarKey>, common: Translate<CommonKey>): string {
  if (err instanceof ApiError) {
    const key = BY_CODE[err.code];
    if (key) return t(key);
  }
  return errorText(err, common);
}

/** Did the server say someone else holds that time (or changed the visit meanwhile)? */
export const isConflict = (err: unknown): boolean =>
  err instanceof ApiError && err.status === 409 && (err.code === "slot_taken" || err.code === "version_conflict");
