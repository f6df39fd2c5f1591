import type { ReactElement } from "react";

export function TasksScreen(): ReactElement {
  return <p className="pad">TasksScreen</p>;
}
