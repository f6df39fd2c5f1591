// Book (or reschedule) a visit while seeing every crew member of the kind's role side by side
// for the week (owned by the calendar work; this is its agreed interface).
import type { ReactElement } from "react";

export type VisitKind = "measurement" | "delivery" | "installation" | "rework";

export type BookingPanelProps = {
  orderId: string;
  kind: VisitKind;
  onBooked?: (booked: { visit_id: string; task_id: string }) => void;
};

export function BookingPanel(_props: BookingPanelProps): ReactElement {
  return <p className="muted">…</p>;
}
