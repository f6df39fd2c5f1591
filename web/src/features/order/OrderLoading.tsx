// What a form over one order (useOrderRead) shows until the card has been read: a loading
// line, or why the read failed with a retry — the form itself needs the card to show anything.
import type { ReactElement } from "react";
import { common } from "../../i18n/common";

export function OrderLoading({ failure, onRetry }: { failure: string | null; onRetry: () => void }): ReactElement {
  const tc = common.use();
  return failure ? (
    <p className="error" role="alert">
      {failure}{" "}
      <button type="button" className="link" onClick={onRetry}>
        {tc("common.retry")}
      </button>
    </p>
  ) : (
    <p className="muted">{tc("common.loading")}</p>
  );
}
