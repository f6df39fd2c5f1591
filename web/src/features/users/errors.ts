// Why the server refused a user, said under the field it is about: the gateway's 422 lists
// each field (`errors: [{loc, msg, type}]`), its own refusals carry a stable code
// (username_taken, weak_password, last_admin, ...). Known ones in the user's language; any
// other field message is the server's own; what names no field goes above the buttons.
import { ApiError } from "../../api/client";
import { fieldPath } from "../../api/fieldPath";
import type { Translate } from "../../i18n/messages";
import type { UserKey } from "./messages";
import type { FieldErrors, UserField } from "./model";

const FIELDS: readonly UserField[] = ["username", "display_name", "role", "password", "active"];

export type Refusal = { fields: FieldErrors; form: string | null };

type Problem = { loc?: unknown[]; msg?: string; type?: string };

const isField = (name: string): name is UserField => (FIELDS as readonly string[]).includes(name);
const limit = (msg: string | undefined): string => /(\d+)/.exec(msg ?? "")?.[1] ?? "";

function said(field: UserField, e: Problem, t: Translate<UserKey>): string {
  switch (e.type) {
    case "missing":
      return t("error.required");
    case "string_too_short":
      return limit(e.msg) === "1" ? t("error.required") : t("error.too_short", { n: limit(e.msg) });
    case "string_too_long":
      return t("error.too_long", { n: limit(e.msg) });
    case "string_pattern_mismatch":
      return field === "username" ? t("error.username_pattern") : t("error.invalid");
    case "literal_error":
    case "enum":
      return field === "role" ? t("error.role") : t("error.invalid");
    default:
      return e.msg ?? t("error.invalid");
  }
}

/** The refusal as field and form messages; both empty when it is no refusal of the input
 * (a lost connection, a 403, a 5xx: the caller says those in general words). */
export function refusalOf(err: unknown, t: Translate<UserKey>): Refusal {
  const fields: FieldErrors = {};
  if (!(err instanceof ApiError)) return { fields, form: null };
  switch (err.code) {
    case "username_taken":
      return { fields: { username: t("error.username_taken") }, form: null };
    case "weak_password":
      return { fields: { password: t("error.weak_password") }, form: null };
    case "cannot_change_own_access":
      return { fields, form: t("error.own_access") };
    case "last_admin":
      return { fields, form: t("error.last_admin") };
  }
  if (err.status === 404) return { fields, form: t("error.gone") };
  const problems = Array.isArray(err.body.errors) ? (err.body.errors as Problem[]) : [];
  for (const e of problems) {
    const [name = ""] = fieldPath(e.loc ?? []).split(".");
    if (isField(name) && !fields[name]) fields[name] = said(name, e, t);
  }
  if (!problems.length && err.status === 422) {
    // A refusal of the gateway's own that names its field: "password: at least 10 ...".
    const named = /^([a-z_]+): (.+)$/s.exec(err.message);
    if (named?.[1] && isField(named[1])) fields[named[1]] = named[2] ?? err.message;
  }
  return { fields, form: null };
}
