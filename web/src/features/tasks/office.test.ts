import { describe, expect, it } from "vitest";
import { ApiError } from "../../api/client";
import type { Task } from "./group";
import { NO_FILTER, officeTasks, taskBody, taskRefusal } from "./office";

const NOW = new Date("2026-03-02T12:00:00Z");
const task = (id: string, extra: Partial<Task> = {}): Task => ({ id, kind: "custom", status: "open", ...extra });

describe("the office's task list", () => {
  const tasks = [
    task("later", { due_at: "2026-03-05T09:00:00Z", assignee_role: "measurer" }),
    task("none", { assignee_id: "u1" }),
    task("late-1h", { due_at: "2026-03-02T11:00:00Z", assignee_id: "u2", order_id: "o1" }),
    task("late-2d", { due_at: "2026-02-28T11:00:00Z", assignee_id: "u1", order_id: "o1" }),
    task("done", { status: "done", due_at: "2026-02-01T11:00:00Z" }),
  ];
  it("puts overdue tasks first, the longest overdue on top, and leaves finished ones out", () => {
    expect(officeTasks(tasks, NO_FILTER, NOW).map((t) => t.id)).toEqual(["late-2d", "late-1h", "later", "none"]);
  });
  it("filters by person, by role (a person's role counts) and by order", () => {
    const roleOf = (id: string): string | undefined => ({ u1: "measurer", u2: "installer" })[id];
    expect(officeTasks(tasks, { ...NO_FILTER, assignee: "u1" }, NOW).map((t) => t.id)).toEqual(["late-2d", "none"]);
    expect(officeTasks(tasks, { ...NO_FILTER, role: "measurer" }, NOW, roleOf).map((t) => t.id)).toEqual([
      "late-2d",
      "later",
      "none",
    ]);
    expect(officeTasks(tasks, { ...NO_FILTER, order: "o1" }, NOW).map((t) => t.id)).toEqual(["late-2d", "late-1h"]);
  });
});

describe("a new task", () => {
  const form = { title: " Позвонить ", assignTo: "role" as const, person: "", role: "measurer", due: "" };
  it("is a body with exactly one assignee", () => {
    expect(taskBody(form, "o1").body).toEqual({ title: "Позвонить", order_id: "o1", assignee_role: "measurer" });
    expect(taskBody({ ...form, assignTo: "person", person: "u1" }).body).toEqual({ title: "Позвонить", assignee_id: "u1" });
  });
  it("says every missing field at once", () => {
    expect(taskBody({ ...form, title: " ", role: "" }).problems).toEqual({ title: "required", assignee: "pick_role" });
  });
  it("shows the server's refusals under their fields", () => {
    const listed = new ApiError(422, {
      detail: "invalid",
      code: "invalid_input",
      errors: [{ loc: ["body", "due_at"], msg: "expected a date-time" }],
    });
    expect(taskRefusal(listed)).toEqual({ fields: { due: "expected a date-time" }, form: null });
    const coded = new ApiError(422, { detail: "assignee_role: 'admin' sees no orders", code: "role_sees_no_orders" });
    expect(taskRefusal(coded)?.fields.assignee).toContain("sees no orders");
    expect(taskRefusal(new ApiError(409, { detail: "x", code: "conflict" }))).toBeNull();
  });
});
