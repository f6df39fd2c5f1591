// "My tasks" in the order a field worker works them: what is today, what is overdue, what
// comes later; finished tasks (shown on request) apart. Pure: "now" is an argument.
import type { Schemas } from "../../api/client";

export type Task = Schemas["TaskOut"];
export type TaskGroup = "today" | "tomorrow" | "overdue" | "later" | "done";
export const GROUPS: readonly TaskGroup[] = ["today", "tomorrow", "overdue", "later", "done"];

/** A visit's task is "when the visit is"; other tasks may carry a due date. */
export function whenOf(task: Task): string | null {
  return task.visit_starts_at ?? task.due_at ?? null;
}

/** An instant to sort by: ISO strings with different offsets do not sort as text. */
function instant(task: Task): number {
  const iso = whenOf(task);
  const at = iso ? new Date(iso).getTime() : NaN;
  return Number.isNaN(at) ? Number.POSITIVE_INFINITY : at;
}

function startOfDay(now: Date): number {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
}

/**
 * Which group a task is in. Overdue: an open task whose deadline has passed, or whose visit
 * was on an earlier day (a visit earlier today is still today's work: the worker may be on
 * site). Tasks with no time at all are "later".
 */
export function groupOf(task: Task, now: Date): TaskGroup {
  if (task.status !== "open") return "done";
  const at = instant(task);
  if (!Number.isFinite(at)) return "later";
  const today = startOfDay(now);
  const tomorrow = new Date(today).setDate(new Date(today).getDate() + 1);
  const dayAfter = new Date(today).setDate(new Date(today).getDate() + 2);
  const deadlinePassed = !task.visit_starts_at && task.due_at != null && at < now.getTime();
  if (at < today || deadlinePassed) return "overdue";
  if (at < tomorrow) return "today";
  if (at < dayAfter) return "tomorrow";
  return "later";
}

/** Tasks by group, soonest first in each (the next thing to do on top); done: newest first. */
export function groupTasks(tasks: readonly Task[], now: Date): Record<TaskGroup, Task[]> {
  const out: Record<TaskGroup, Task[]> = { today: [], tomorrow: [], overdue: [], later: [], done: [] };
  for (const task of tasks) out[groupOf(task, now)].push(task);
  for (const group of ["today", "tomorrow", "overdue", "later"] as const) {
    out[group].sort((a, b) => instant(a) - instant(b));
  }
  const finished = (t: Task): number => (t.completed_at ? new Date(t.completed_at).getTime() : instant(t));
  out.done.sort((a, b) => finished(b) - finished(a));
  return out;
}
