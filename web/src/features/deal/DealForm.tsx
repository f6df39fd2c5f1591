// Deal terms (amount, decor, finishing, extra work, payment terms) for commercial roles
// (owned by the board work; this is its agreed interface).
import type { ReactElement } from "react";

export type DealFormProps = { orderId: string; onSaved?: () => void };

export function DealForm(_props: DealFormProps): ReactElement {
  return <p className="muted">…</p>;
}
