// The office's task list: every open task (all people), filtered by assignee, role or order;
// overdue ones first and marked, then the rest by deadline. And the new-task form's body and
// the server's refusals under its fields. Pure ("now" and the data are arguments).
import { ApiError, type Schemas } from "../../api/client";
import { ROLES, type Role } from "../../app/roles";
import { fieldPath } from "../../api/fieldPath";
import { groupOf, whenOf, type Task } from "./group";

export type OfficeFilter = { assignee: string; role: string; order: string };
export const NO_FILTER: OfficeFilter = { assignee: "", role: "", order: "" };

export function isOverdue(task: Task, now: Date): boolean {
  return groupOf(task, now) === "overdue";
}

function instant(task: Task): number {
  const iso = whenOf(task);
  const at = iso ? new Date(iso).getTime() : NaN;
  return Number.isNaN(at) ? Number.POSITIVE_INFINITY : at;
}

/** Open tasks matching the filter: overdue first (the longest overdue on top), then by
 * deadline; tasks without a time last. `role` matches a task for that role or assigned to
 * someone of it (`roleOf` knows the people). */
export function officeTasks(
  tasks: readonly Task[],
  filter: OfficeFilter,
  now: Date,
  roleOf: (userId: string) => string | undefined = () => undefined,
): Task[] {
  const wanted = tasks.filter((task) => {
    if (task.status !== "open") return false;
    if (filter.assignee && task.assignee_id !== filter.assignee) return false;
    if (filter.role) {
      const role = task.assignee_role ?? (task.assignee_id ? roleOf(task.assignee_id) : undefined);
      if (role !== filter.role) return false;
    }
    if (filter.order && task.order_id !== filter.order) return false;
    return true;
  });
  return wanted.sort((a, b) => {
    const late = Number(isOverdue(b, now)) - Number(isOverdue(a, now));
    return late || instant(a) - instant(b);
  });
}

// --- the new task -----------------------------------------------------------------------

export type TaskField = "title" | "assignee" | "due";
export type TaskForm = { title: string; assignTo: "person" | "role"; person: string; role: string; due: string };
export type TaskBody = Schemas["TaskForPerson"] | Schemas["TaskForRole"];
export type Problem = "required" | "pick_person" | "pick_role" | "bad_due";

/** The POST /tasks body, or what is missing, by field (checked here first so a person gets
 * every message at once; the server checks again). `due` is a datetime-local value. */
export function taskBody(
  form: TaskForm,
  orderId?: string,
): { body: TaskBody; problems: null } | { body: null; problems: Partial<Record<TaskField, Problem>> } {
  const problems: Partial<Record<TaskField, Problem>> = {};
  const title = form.title.trim();
  if (!title) problems.title = "required";
  if (form.assignTo === "person" && !form.person) problems.assignee = "pick_person";
  const role = (ROLES as readonly string[]).includes(form.role) ? (form.role as Role) : null;
  if (form.assignTo === "role" && !role) problems.assignee = "pick_role";
  let due: string | undefined;
  if (form.due) {
    const at = new Date(form.due);
    if (Number.isNaN(at.getTime())) problems.due = "bad_due";
    else due = at.toISOString();
  }
  if (Object.keys(problems).length || (form.assignTo === "role" && !role)) return { body: null, problems };
  const rest = { title, ...(orderId ? { order_id: orderId } : {}), ...(due ? { due_at: due } : {}) };
  const body: TaskBody =
    form.assignTo === "role" && role ? { ...rest, assignee_role: role } : { ...rest, assignee_id: form.person };
  return { body, problems: null };
}

const BY_FIELD: Record<string, TaskField> = {
  title: "title",
  assignee_id: "assignee",
  assignee_role: "assignee",
  due_at: "due",
};
const BY_CODE: Record<string, TaskField> = {
  assignee: "assignee",
  unknown_role: "assignee",
  role_sees_no_orders: "assignee",
  unknown_member: "assignee",
};

/** The server's 422 as messages under the fields it names (its own words: they say what is
 * wrong); what names no field goes to the form. Null for what is no refusal of the input. */
export function taskRefusal(err: unknown): { fields: Partial<Record<TaskField, string>>; form: string | null } | null {
  if (!(err instanceof ApiError) || err.status !== 422) return null;
  const fields: Partial<Record<TaskField, string>> = {};
  const listed = Array.isArray(err.body.errors) ? (err.body.errors as { loc?: unknown[]; msg?: string }[]) : [];
  for (const e of listed) {
    const field = BY_FIELD[fieldPath(e.loc ?? []).split(".")[0] ?? ""];
    if (field && !fields[field]) fields[field] = e.msg ?? err.message;
  }
  if (listed.length) return { fields, form: Object.keys(fields).length ? null : err.message };
  const named = /^([a-z_]+): /.exec(err.message)?.[1];
  const field = BY_CODE[err.code] ?? (named ? BY_FIELD[named] : undefined);
  if (field) return { fields: { [field]: err.message }, form: null };
  return { fields, form: err.message };
}
