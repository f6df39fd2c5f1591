// After a refused submit, take the user to the first field that says what is wrong.
import { useCallback, useEffect, useRef, useState, type RefObject } from "react";

/** The form's ref and a `focusFirstInvalid()` to call where the errors are set. The focus
 * moves in an effect, after React has committed those errors: a frame callback could run
 * before that commit (under load it did) and find no field marked, or one marked earlier. */
export function useFocusFirstInvalid(): {
  formRef: RefObject<HTMLFormElement | null>;
  focusFirstInvalid: () => void;
} {
  const formRef = useRef<HTMLFormElement>(null);
  const [asked, setAsked] = useState(0);
  useEffect(() => {
    if (!asked) return;
    const field = formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
    field?.focus();
    field?.scrollIntoView({ block: "center" });
  }, [asked]);
  const focusFirstInvalid = useCallback(() => setAsked((n) => n + 1), []);
  return { formRef, focusFirstInvalid };
}
