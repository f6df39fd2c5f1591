import { describe, expect, it } from "vitest";
import { groupOf, groupTasks, type Task } from "./group";

// Local times: "today" is the device's day.
const now = new Date(2026, 10, 30, 12, 0); // 30 Nov 2026, 12:00 local
const at = (day: number, hour: number): string => new Date(2026, 10, day, hour, 0).toISOString();

function task(id: string, extra: Partial<Task>): Task {
  return { id, kind: "measurement", status: "open", ...extra } as Task;
}

describe("groupOf", () => {
  it("puts today's visits under today, even one that started earlier today", () => {
    expect(groupOf(task("a", { visit_starts_at: at(30, 15) }), now)).toBe("today");
    expect(groupOf(task("b", { visit_starts_at: at(30, 9) }), now)).toBe("today");
  });
  it("calls a visit of an earlier day, or a passed deadline, overdue", () => {
    expect(groupOf(task("c", { visit_starts_at: at(29, 15) }), now)).toBe("overdue");
    expect(groupOf(task("d", { due_at: at(30, 10), kind: "call" }), now)).toBe("overdue");
  });
  it("puts tomorrow's visits under tomorrow, later days and tasks with no time under later", () => {
    expect(groupOf(task("e", { visit_starts_at: at(31, 9) }), now)).toBe("tomorrow");
    expect(groupOf(task("e2", { visit_starts_at: at(32, 0) }), now)).toBe("later");
    expect(groupOf(task("f", {}), now)).toBe("later");
    expect(groupOf(task("g", { due_at: at(30, 18), kind: "call" }), now)).toBe("today");
  });
  it("keeps finished tasks apart", () => {
    expect(groupOf(task("h", { status: "done", visit_starts_at: at(29, 9) }), now)).toBe("done");
    expect(groupOf(task("i", { status: "cancelled" }), now)).toBe("done");
  });
});

describe("groupTasks", () => {
  it("sorts each group soonest first, comparing instants not text", () => {
    const tasks = [
      task("late", { visit_starts_at: "2026-11-30T16:00:00+03:00" }),
      task("early", { visit_starts_at: new Date(2026, 10, 30, 13, 0).toISOString() }),
      task("nodate", {}),
      task("tomorrow", { visit_starts_at: at(31, 8) }),
      task("old", { visit_starts_at: at(28, 8) }),
      task("older", { visit_starts_at: at(27, 8) }),
    ];
    const groups = groupTasks(tasks, now);
    expect(groups.overdue.map((t) => t.id)).toEqual(["older", "old"]);
    expect(groups.tomorrow.map((t) => t.id)).toEqual(["tomorrow"]);
    expect(groups.later.map((t) => t.id)).toEqual(["nodate"]);
    expect(groups.today.map((t) => t.id).sort()).toEqual(["early", "late"]);
    expect(groups.done).toEqual([]);
  });
  it("lists finished tasks newest first", () => {
    const groups = groupTasks(
      [
        task("first", { status: "done", completed_at: at(28, 9) }),
        task("second", { status: "done", completed_at: at(29, 9) }),
      ],
      now,
    );
    expect(groups.done.map((t) => t.id)).toEqual(["second", "first"]);
  });
});
