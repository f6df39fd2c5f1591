import type { ReactElement } from "react";

export function BoardScreen(): ReactElement {
  return <p className="pad">BoardScreen</p>;
}
