import type { ReactElement } from "react";

export function NotificationsScreen(): ReactElement {
  return <p className="pad">NotificationsScreen</p>;
}
