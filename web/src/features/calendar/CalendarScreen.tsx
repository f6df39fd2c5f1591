import type { ReactElement } from "react";

export function CalendarScreen(): ReactElement {
  return <p className="pad">CalendarScreen</p>;
}
