// Name, phone and structured address: the same controls for a new order and for editing an
// order's customer. `errors` are keyed as the fields are ("name", "phone", "address.city").
import type { ReactElement, ReactNode } from "react";
import { Field } from "../../ui/Field";
import { AddressFields } from "./AddressFields";
import type { CustomerValue } from "./customerValue";
import { under } from "./formErrors";
import { m } from "./messages";
import { PhoneInput } from "./PhoneInput";

type Props = {
  value: CustomerValue;
  onChange: (value: CustomerValue) => void;
  errors?: Record<string, string>;
  /** The stored address line when it is free text. */
  currentAddress?: string | undefined;
  /** Shown under the phone (e.g. the customers already known by that number). */
  afterPhone?: ReactNode;
};

export function CustomerFields({ value, onChange, errors = {}, currentAddress, afterPhone }: Props): ReactElement {
  const t = m.use();
  return (
    <div className="customer-fields">
      <Field label={t("customer.name")} error={errors.name}>
        {(aria) => (
          <input
            {...aria}
            name="name"
            required
            maxLength={200}
            autoComplete="off"
            value={value.name}
            onChange={(e) => onChange({ ...value, name: e.currentTarget.value })}
          />
        )}
      </Field>
      <PhoneInput value={value.phone} error={errors.phone} onChange={(phone) => onChange({ ...value, phone })} />
      {afterPhone}
      <AddressFields
        value={value.address}
        errors={under(errors, "address")}
        current={currentAddress}
        onChange={(address) => onChange({ ...value, address })}
      />
    </div>
  );
}
