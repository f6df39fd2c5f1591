// A screen's read in progress or failed: the loading line, or why it failed with a retry.
// Nothing once the data is there (or while an error is not the screen's to show).
import type { ReactElement } from "react";
import { common } from "../i18n/common";

export function LoadStatus({
  error,
  loaded,
  onRetry,
}: {
  error: string | null;
  loaded: boolean;
  onRetry: () => void;
}): ReactElement | null {
  const tc = common.use();
  if (error)
    return (
      <p className="error pad" role="alert">
        {error}{" "}
        <button type="button" onClick={onRetry}>
          {tc("common.retry")}
        </button>
      </p>
    );
  return loaded ? null : <p className="muted pad">{tc("common.loading")}</p>;
}
