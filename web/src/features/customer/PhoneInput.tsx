// A phone field formatted as it is typed (Russia by default) and checked when it is left.
// The server's message for the field, when there is one, wins over the browser's own check.
import { useState, type ReactElement } from "react";
import { Field } from "../../ui/Field";
import { m } from "./messages";
import { formatTyped, isValidPhone } from "./phone";

type Props = {
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  required?: boolean;
  label?: string;
};

export function PhoneInput({ value, onChange, error, required = true, label }: Props): ReactElement {
  const t = m.use();
  const [checked, setChecked] = useState<string | null>(null);
  return (
    // The example only while the number is not yet a valid one.
    <Field label={label ?? t("customer.phone")} error={error ?? checked} hint={isValidPhone(value) ? undefined : t("customer.phone_hint")}>
      {(aria) => (
        <input
          {...aria}
          name="phone"
          type="tel"
          inputMode="tel"
          autoComplete="tel"
          required={required}
          value={value}
          onChange={(e) => {
            const input = e.currentTarget;
            // Only re-format when typing at the end: mid-text edits keep the caret where it is.
            const atEnd = input.selectionStart === input.value.length;
            onChange(atEnd ? formatTyped(input.value, value) : input.value);
            setChecked(null);
          }}
          onBlur={() => {
            if (!value.trim()) setChecked(required ? t("form.required") : null);
            else setChecked(isValidPhone(value) ? null : t("form.phone"));
          }}
        />
      )}
    </Field>
  );
}
