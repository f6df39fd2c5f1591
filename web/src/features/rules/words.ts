// A rule's keys in the user's words: triggers, conditions and actions as sentences, stage keys
// as the current pipeline's titles (a key no version has titles itself), roles by name.
import type { CommonKey } from "../../i18n/common";
import type { Translate } from "../../i18n/messages";
import type { RuleKey } from "./messages";
import type { Action, ConditionKey, Words } from "./model";

export function wordsOf(
  t: Translate<RuleKey>,
  tc: Translate<CommonKey>,
  stageTitle: (key: string) => string,
  lang: "ru" | "en" = "ru",
): Words {
  const value = (key: ConditionKey, v: string): string => {
    switch (key) {
      case "stage":
      case "from_stage":
        return stageTitle(v);
      case "direction":
        return t(`direction.${v}` as RuleKey);
      case "task_kind":
        return t(`task.${v}` as RuleKey);
      case "media_kind":
        return t(`media.${v}` as RuleKey);
      case "media_purpose":
        return t(`purpose.${v}` as RuleKey);
      case "without_booked_visit":
        return t(`visit.${v}` as RuleKey);
      default:
        return v;
    }
  };
  const role = (r: unknown): string => tc(`role.${String(r)}` as CommonKey);
  return {
    trigger: (trigger, stage) =>
      stage ? t("trigger.order_entered_stage_in", { stage: stageTitle(stage) }) : t(`trigger.${trigger}` as RuleKey),
    condition: (key, v) => t(`cond.${key}`, { value: value(key, v) }),
    action: (a: Action) => {
      if (a.type === "create_task") {
        const params = { title: String(a.title ?? ""), kind: t(`task.${String(a.kind)}` as RuleKey), hours: Number(a.due_in_hours ?? 24) };
        return a.assignee_role
          ? t("action.create_task", { ...params, who: t("who.role", { role: role(a.assignee_role) }) })
          : t("action.create_task_person", params);
      }
      if (a.type === "request_stage_move") return t("action.request_stage_move", { stage: stageTitle(String(a.to_stage ?? "")) });
      const who = [a.manager ? t("who.manager") : "", a.role ? t("who.role", { role: role(a.role) }) : "", a.user_id ? t("who.person") : ""]
        .filter(Boolean)
        .join(` ${t("cond.and")} `);
      // A notification has a text per language: the one the reader reads.
      return t("action.notify", { who, text: String((lang === "en" ? a.text_en : a.text_ru) ?? "") });
    },
    and: t("cond.and"),
    always: "",
  };
}
