// A modal on the browser's own <dialog>: focus is trapped and Escape closes it natively, so
// no focus-trap library is needed. `open` drives showModal()/close(); closing by Escape or
// the close button calls onClose so the owner's state stays the truth.
import { useEffect, useId, useRef, type ReactElement, type ReactNode } from "react";
import { common } from "../i18n/common";

type Props = { open: boolean; title: ReactNode; onClose: () => void; children: ReactNode; wide?: boolean };

export function Dialog({ open, title, onClose, children, wide }: Props): ReactElement {
  const ref = useRef<HTMLDialogElement>(null);
  const t = common.use();
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className={`dialog${wide ? " wide" : ""}`}
      aria-labelledby={open ? titleId : undefined}
      // React bubbles `cancel` and `close` through the component tree although the DOM does not:
      // a dialog opened inside another must not close its parent too (Escape in the inner one).
      onClose={(event) => {
        if (event.target === event.currentTarget) onClose();
      }}
      onCancel={(event) => {
        if (event.target !== event.currentTarget) return;
        event.preventDefault();
        onClose();
      }}
    >
      {open ? (
        <>
          <header className="dialog-head">
            <h2 id={titleId}>{title}</h2>
            <button type="button" className="link" onClick={onClose} aria-label={t("common.close")}>
              ✕
            </button>
          </header>
          <div className="dialog-body">{children}</div>
        </>
      ) : null}
    </dialog>
  );
}
