import type { ReactElement } from "react";
import { useApp } from "../store/app";

export function Toasts(): ReactElement {
  const toasts = useApp((s) => s.toasts);
  const dismiss = useApp((s) => s.dismiss);
  return (
    <div className="toasts" role="status" aria-live="polite">
      {toasts.map((toast) => (
        <p key={toast.id} className={`toast ${toast.tone}`} onClick={() => dismiss(toast.id)}>
          {toast.text}
        </p>
      ))}
    </div>
  );
}
