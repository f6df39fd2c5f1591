// Book (or reschedule) a visit while seeing every crew member of the kind's role side by side
// for the week (one day at a time on a phone): the agreed interface of the calendar work.
import type { ReactElement } from "react";
import type { Schemas } from "../../api/client";
import { useMay } from "../../app/roles";
import { CrewCalendar } from "./CrewCalendar";
import { roleForKind, type VisitKind } from "./model";

export type { VisitKind };

export type BookingPanelProps = {
  orderId: string;
  kind: VisitKind;
  onBooked?: (booked: { visit_id: string; task_id: string }) => void;
  /** Reschedule this visit (of this order) instead of booking a new one. */
  visit?: Schemas["Visit"];
  /** The manager's note for the crew (a new booking only). */
  note?: string;
};

export function BookingPanel({ orderId, kind, onBooked, visit, note }: BookingPanelProps): ReactElement {
  const editable = useMay("visits.book");
  return (
    <CrewCalendar
      role={roleForKind(kind)}
      editable={editable}
      booking={{ orderId, kind, visit, onDone: onBooked, note }}
    />
  );
}
