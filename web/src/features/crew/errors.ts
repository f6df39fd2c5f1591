// Why the server refused a crew member's week, said under the field it is about. The
// scheduling service names its field first ("working_hours.sun: end must be after start",
// "timezone: unknown time zone 'X'") with a stable code; the gateway's 422 lists pydantic's
// `errors` with their `loc`. Keys are the form's: "timezone", "working_hours.<day>",
// "days_off", "absences" or "absences.<n>".
import { ApiError } from "../../api/client";
import { fieldPath } from "../../api/fieldPath";
import type { Translate } from "../../i18n/messages";
import type { CrewKey } from "./messages";

export type Refusal = { fields: Record<string, string>; form: string | null };

type Problem = { loc?: unknown[]; msg?: string; type?: string };

/** The form's key for a server path: a weekday and an absence keep their part, a day off
 * is the list's ("days_off.3" → "days_off"). */
export function formKey(path: string): string {
  const [head = "", next] = path.split(".");
  if (head === "working_hours" || head === "absences") return next === undefined ? head : `${head}.${next}`;
  return head;
}

function said(code: string, message: string, t: Translate<CrewKey>): string {
  if (code === "invalid_timezone") return t("error.timezone");
  if (/end must be after start/.test(message)) return t("error.end_before_start");
  return message;
}

export function refusalOf(err: unknown, t: Translate<CrewKey>): Refusal {
  const fields: Record<string, string> = {};
  if (!(err instanceof ApiError)) return { fields, form: null };
  if (err.status === 404) return { fields, form: t("error.gone") };
  const problems = Array.isArray(err.body.errors) ? (err.body.errors as Problem[]) : [];
  for (const e of problems) {
    const key = formKey(fieldPath(e.loc ?? []));
    if (key && !fields[key]) fields[key] = e.type === "missing" ? t("error.required") : (e.msg ?? err.message);
  }
  if (!problems.length && err.status === 422) {
    const named = /^([a-z_][\w.]*): (.+)$/s.exec(err.message);
    if (named?.[1]) fields[formKey(named[1])] = said(err.code, named[2] ?? err.message, t);
  }
  return { fields, form: null };
}
