// A labelled form control with its hint and its error (from the server or the browser).
// The error is tied to the control with aria-describedby so screen readers read it.
import { useId, type ReactElement, type ReactNode } from "react";

type Props = {
  label: ReactNode;
  error?: string | null | undefined;
  hint?: ReactNode;
  children: (props: { id: string; "aria-invalid": boolean; "aria-describedby"?: string }) => ReactElement;
};

export function Field({ label, error, hint, children }: Props): ReactElement {
  const id = useId();
  const described = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return (
    <div className={`field${error ? " invalid" : ""}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, "aria-invalid": Boolean(error), ...(described ? { "aria-describedby": described } : {}) })}
      {hint ? (
        <p className="hint small muted" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field-error error small" id={`${id}-error`} role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
