// A 422 as messages under the fields they are about, keyed by the field's dotted path without
// "body" ("customer.phone", "customer.address.city"). Pydantic names the branch of a union in
// the path ("address.AddressIn.city", "address.constrained-str"): those segments are dropped,
// and the other branch's complaint ("should be a string" when a structured address was sent)
// only speaks when nothing more precise did. Common complaints are said in the user's
// language; anything else is the server's own message.
import { ApiError } from "../../api/client";
import { fieldPath } from "../../api/fieldPath";

export { fieldPath };

const TYPE_ERRORS = new Set(["string_type", "model_type", "dict_type", "model_attributes_type"]);

export type FieldErrors = Record<string, string>;
export type ErrorWords = { required: string; tooLong: string; atMost: string; phone: string; number: string };

type PydanticError = { loc?: unknown[]; msg?: string; type?: string };

function said(e: PydanticError, words: ErrorWords): string {
  switch (e.type) {
    case "missing":
    case "string_too_short":
      return words.required;
    case "string_pattern_mismatch":
      return (e.msg ?? "").includes("'\\S'") ? words.required : (e.msg ?? words.required);
    case "string_too_long": {
      // The server's limit, from its message ("String should have at most 20 characters").
      const limit = /at most (\d+)/.exec(e.msg ?? "")?.[1];
      return limit ? `${words.tooLong} (${words.atMost.replace("{n}", limit)})` : words.tooLong;
    }
    case "decimal_parsing":
    case "decimal_max_digits":
    case "decimal_max_places":
    case "decimal_whole_digits":
    case "greater_than":
      return words.number;
    default:
      return e.msg ?? "";
  }
}

/** Messages per field of a refused request; {} when the error names no field. */
export function fieldErrors(err: unknown, words: ErrorWords): FieldErrors {
  if (!(err instanceof ApiError)) return {};
  const out: FieldErrors = {};
  const errors = Array.isArray(err.body.errors) ? (err.body.errors as PydanticError[]) : [];
  const precise = errors.filter((e) => !TYPE_ERRORS.has(e.type ?? ""));
  const vague = errors.filter((e) => TYPE_ERRORS.has(e.type ?? ""));
  for (const e of precise) {
    const key = fieldPath(e.loc ?? []);
    if (key && !out[key]) out[key] = said(e, words);
  }
  for (const e of vague) {
    const key = fieldPath(e.loc ?? []);
    const covered = Object.keys(out).some((k) => k === key || k.startsWith(key + ".") || key.startsWith(k + "."));
    if (key && !covered) out[key] = said(e, words);
  }
  if (errors.length === 0 && err.status === 422) {
    // A service's own refusal: "customer.phone: not a Russian phone number: '123'".
    const named = /^([a-z_][\w.]*): (.+)$/.exec(err.message);
    if (named?.[1]) out[named[1]] = err.code === "invalid_phone" ? words.phone : (named[2] ?? err.message);
  }
  return out;
}

/** The messages under `prefix.` with the prefix cut off ("customer.address.city" → "address.city"). */
export function under(errors: FieldErrors, prefix: string): FieldErrors {
  const out: FieldErrors = {};
  for (const [key, message] of Object.entries(errors)) {
    if (key.startsWith(prefix + ".")) out[key.slice(prefix.length + 1)] = message;
  }
  return out;
}
