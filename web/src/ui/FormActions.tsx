// A form's last lines: why it was refused (announced), then submit and cancel. One piece for
// every dialog form, so they all read and behave alike.
import type { ReactElement } from "react";
import { common } from "../i18n/common";

export function FormActions({
  failure,
  busy,
  submit,
  onCancel,
  className = "actions",
}: {
  failure: string | null;
  busy: boolean;
  submit: string;
  onCancel: () => void;
  className?: string;
}): ReactElement {
  const tc = common.use();
  return (
    <>
      {failure ? (
        <p className="error" role="alert">
          {failure}
        </p>
      ) : null}
      <div className={className}>
        <button type="submit" className="primary" disabled={busy}>
          {submit}
        </button>
        <button type="button" onClick={onCancel}>
          {tc("common.cancel")}
        </button>
      </div>
    </>
  );
}
