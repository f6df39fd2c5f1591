// The customer as the forms hold it (plain strings, "" for nothing), and the conversions to and
// from the API's shapes. Shared by the create-order dialog and the customer editor.
import type { Schemas } from "../../api/client";
import { isValidPhone, toE164 } from "./phone";

export const ADDRESS_PARTS = ["city", "street", "building", "apartment", "entrance", "floor", "intercom"] as const;
export type AddressPart = (typeof ADDRESS_PARTS)[number];
export const REQUIRED_ADDRESS: readonly AddressPart[] = ["city", "street", "building"];

export type AddressValue = Record<AddressPart, string>;
export type CustomerValue = { name: string; phone: string; address: AddressValue };

export const emptyAddress = (): AddressValue => ({
  city: "", street: "", building: "", apartment: "", entrance: "", floor: "", intercom: "",
});
export const emptyCustomer = (): CustomerValue => ({ name: "", phone: "", address: emptyAddress() });

type AddressOut = Schemas["AddressOut"] | string | null | undefined;

/** The structured parts of a stored address; a free-text one has none (shown as a hint). */
export function addressValue(address: AddressOut): AddressValue {
  const out = emptyAddress();
  if (!address || typeof address === "string") return out;
  for (const part of ADDRESS_PARTS) out[part] = address[part] ?? "";
  return out;
}

/** The stored address as one line, for the hint above structured fields. */
export function addressText(address: AddressOut, text?: string | null): string {
  if (text) return text;
  if (!address) return "";
  if (typeof address === "string") return address;
  return address.text ?? ADDRESS_PARTS.map((p) => address[p]).filter(Boolean).join(", ");
}

/** What the server's AddressIn takes: trimmed, optional parts left out when empty. */
export function addressIn(value: AddressValue): Schemas["AddressIn"] {
  const out: Schemas["AddressIn"] = {
    city: value.city.trim(),
    street: value.street.trim(),
    building: value.building.trim(),
  };
  for (const part of ["apartment", "entrance", "floor", "intercom"] as const) {
    const text = value[part].trim();
    if (text) out[part] = text;
  }
  return out;
}

export function sameAddress(a: AddressValue, b: AddressValue): boolean {
  return ADDRESS_PARTS.every((p) => a[p].trim() === b[p].trim());
}

export type CustomerWords = { required: string; phone: string };

/** What the browser can tell before sending, keyed as the fields are ("address.city"). */
export function checkCustomer(value: CustomerValue, words: CustomerWords, only?: Set<string>): Record<string, string> {
  const out: Record<string, string> = {};
  const wanted = (key: string): boolean => !only || only.has(key);
  if (wanted("name") && !value.name.trim()) out.name = words.required;
  if (wanted("phone")) {
    if (!value.phone.trim()) out.phone = words.required;
    else if (!isValidPhone(value.phone)) out.phone = words.phone;
  }
  if (wanted("address")) {
    for (const part of REQUIRED_ADDRESS) {
      if (!value.address[part].trim()) out[`address.${part}`] = words.required;
    }
  }
  return out;
}

/** The customer as CreateOrderRequest takes it (call after checkCustomer found nothing). */
export function customerIn(value: CustomerValue): Schemas["CustomerIn"] {
  return {
    name: value.name.trim(),
    phone: toE164(value.phone) ?? value.phone.trim(),
    address: addressIn(value.address),
  };
}

/** A partial patch: only what changed from `was` (undefined when nothing did). */
export function customerPatch(
  value: CustomerValue,
  was: CustomerValue,
): Omit<Schemas["CustomerPatch"], "expected_version"> | undefined {
  const patch: Omit<Schemas["CustomerPatch"], "expected_version"> = {};
  if (value.name.trim() !== was.name.trim()) patch.name = value.name.trim();
  if ((toE164(value.phone) ?? value.phone.trim()) !== (toE164(was.phone) ?? was.phone.trim())) {
    patch.phone = toE164(value.phone) ?? value.phone.trim();
  }
  if (!sameAddress(value.address, was.address)) patch.address = addressIn(value.address);
  return Object.keys(patch).length ? patch : undefined;
}

/** Which checks a patch needs: an untouched free-text address must not be asked to be structured. */
export function changedParts(value: CustomerValue, was: CustomerValue): Set<string> {
  const parts = new Set<string>();
  if (value.name.trim() !== was.name.trim()) parts.add("name");
  if (value.phone.trim() !== was.phone.trim()) parts.add("phone");
  if (!sameAddress(value.address, was.address)) parts.add("address");
  return parts;
}

/** The field keys whose text differs ("name", "address.city"): their old messages no longer apply. */
export function editedKeys(before: CustomerValue, after: CustomerValue): string[] {
  const keys: string[] = [];
  if (before.name !== after.name) keys.push("name");
  if (before.phone !== after.phone) keys.push("phone");
  for (const part of ADDRESS_PARTS) if (before.address[part] !== after.address[part]) keys.push(`address.${part}`);
  return keys;
}

/** `errors` without the messages of the given keys (under an optional prefix, "customer."). */
export function withoutKeys(errors: Record<string, string>, keys: string[], prefix = ""): Record<string, string> {
  if (!keys.some((k) => `${prefix}${k}` in errors)) return errors;
  const out = { ...errors };
  for (const key of keys) delete out[`${prefix}${key}`];
  return out;
}
