import { describe as group, expect, it } from "vitest";
import { common } from "../../i18n/common";
import { m } from "./messages";
import { describe, draftOf, formKey, newAction, newRuleId, problemsOf, requestOf, shownConditions, type Rule } from "./model";
import { wordsOf } from "./words";

const TITLES: Record<string, string> = { measurement: "Замер", contract: "Договор" };
const words = wordsOf(m.in("ru"), common.in("ru"), (key) => TITLES[key] ?? key);
const booking: Rule = {
  id: "measurement-book-visit",
  title: "Order enters measurement without a booked visit → manager books it",
  enabled: true,
  trigger: "order_entered_stage",
  conditions: { stage: "measurement", without_booked_visit: "measurement" },
  actions: [
    { id: "0", type: "create_task", kind: "book_visit", assignee_role: "manager", title: "Записать на замер", visit_kind: "measurement", due_in_hours: 24 },
  ],
  version: 3,
};

group("a rule in words", () => {
  it("says trigger, conditions and actions with titles, never raw keys", () => {
    const said = describe(draftOf(booking), words);
    expect(said.when).toBe("заказ переходит на этап «Замер», нет записи на визит «Замер»");
    expect(said.then).toEqual(["создать задачу «Записать на замер» (записать на визит) для роли «Менеджер», срок 24 ч"]);
  });

  it("says a move, a notification to the manager and a role, and a completed task's kind", () => {
    const rule = draftOf({
      ...booking,
      trigger: "task_completed",
      conditions: { task_kind: "measurement" },
      actions: [
        { type: "request_stage_move", to_stage: "contract" },
        { type: "notify", manager: true, role: "director", text_ru: "Заказ №{number}", text_en: "Order #{number}" },
      ],
    });
    const said = describe(rule, words);
    expect(said.when).toBe("выполнена задача, задача — замер");
    expect(said.then).toEqual([
      "перевести заказ на этап «Договор»",
      "уведомить менеджера заказа и роли «Руководитель»: «Заказ №{number}»",
    ]);
    const english = wordsOf(m.in("en"), common.in("en"), (key) => key, "en");
    expect(describe(rule, english).then[1]).toBe("notify the order's manager and the role “Director”: “Order #{number}”");
  });
});

group("the rule form", () => {
  it("sends the rule back with each action's id and the version read, empty conditions left out", () => {
    const draft = draftOf(booking);
    draft.conditions.without_booked_visit = "";
    draft.actions[0] = { ...draft.actions[0]!, title: "  Записать на замер срочно " };
    expect(requestOf(draft, 3)).toEqual({
      title: booking.title,
      enabled: true,
      trigger: "order_entered_stage",
      conditions: { stage: "measurement" },
      actions: [{ ...booking.actions![0], title: "Записать на замер срочно" }],
      version: 3,
    });
  });

  it("asks for what is missing before the server does", () => {
    const draft = draftOf(booking);
    draft.title = " ";
    draft.actions = [newAction("create_task"), newAction("request_stage_move"), { ...newAction("notify"), manager: false }];
    expect(problemsOf(draft)).toEqual({
      title: "required",
      "actions.0.title": "required",
      "actions.1.to_stage": "required",
      "actions.2.role": "recipient",
      "actions.2.text_ru": "required",
      "actions.2.text_en": "required",
    });
  });

  it("offers the trigger's conditions and keeps showing one already set", () => {
    const draft = draftOf({ ...booking, trigger: "media_uploaded", conditions: { media_kind: "photo", direction: "back" } });
    expect(shownConditions(draft)).toEqual(["media_kind", "media_purpose", "stage", "pipeline_version", "direction"]);
  });

  it("puts the server's paths under the form's fields and makes ids the server takes", () => {
    expect(formKey("actions.0.create_task.title")).toBe("actions.0.title");
    expect(formKey("actions.2.to_stage")).toBe("actions.2.to_stage");
    expect(formKey("conditions.stage")).toBe("conditions.stage");
    expect(newRuleId(1_700_000_000_000, 0.5)).toMatch(/^[a-z0-9][a-z0-9_-]{0,62}$/);
  });
});
