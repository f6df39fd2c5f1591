// The structured site address (the server's AddressIn): city, street and building required,
// apartment, entrance, floor and intercom optional. Laid out in a grid that folds on a phone.
import type { ReactElement } from "react";
import { Field } from "../../ui/Field";
import { ADDRESS_PARTS, REQUIRED_ADDRESS, type AddressPart, type AddressValue } from "./customerValue";
import { m } from "./messages";
import "./customer.css";

type Props = {
  value: AddressValue;
  onChange: (value: AddressValue) => void;
  /** Messages keyed by part ("city"). */
  errors?: Record<string, string>;
  /** The stored address as one line, when it is free text the parts do not hold. */
  current?: string | undefined;
};

const AUTOCOMPLETE: Partial<Record<AddressPart, string>> = { city: "address-level2", street: "address-line1" };

export function AddressFields({ value, onChange, errors = {}, current }: Props): ReactElement {
  const t = m.use();
  return (
    <fieldset className="address">
      <legend>{t("customer.address")}</legend>
      <p className="small muted address-required">{t("address.required")}</p>
      {current ? <p className="small muted address-now">{t("customer.address_now", { text: current })}</p> : null}
      <div className="address-grid">
        {ADDRESS_PARTS.map((part) => {
          const required = REQUIRED_ADDRESS.includes(part);
          return (
            <div key={part} className={`address-part part-${part}`}>
              <Field label={t(`address.${part}`)} error={errors[part]}>
                {(aria) => (
                  <input
                    {...aria}
                    name={part}
                    required={required}
                    autoComplete={AUTOCOMPLETE[part] ?? "off"}
                    value={value[part]}
                    onChange={(e) => onChange({ ...value, [part]: e.currentTarget.value })}
                  />
                )}
              </Field>
            </div>
          );
        })}
      </div>
    </fieldset>
  );
}
