import type { ReactElement } from "react";

export function OrderScreen(): ReactElement {
  return <p className="pad">OrderScreen</p>;
}
