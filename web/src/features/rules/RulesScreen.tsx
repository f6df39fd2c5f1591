// Robots (director, admin): every rule as a sentence — when, if, then — on or off, its change
// in a form, and a new rule. Stage keys are said by the current pipeline's titles.
import { useCallback, useEffect, useMemo, useState, type ReactElement } from "react";
import { api, ok } from "../../api/client";
import { errorText } from "../../app/errors";
import { useMay } from "../../app/roles";
import { common } from "../../i18n/common";
import { useApp } from "../../store/app";
import { LoadStatus } from "../../ui/LoadStatus";
import { m } from "./messages";
import { describe, draftOf, type Rule } from "./model";
import { RuleDialog, type Stage } from "./RuleDialog";
import { wordsOf } from "./words";
import "./rules.css";

export function RulesScreen(): ReactElement {
  const t = m.use();
  const tc = common.use();
  const lang = useApp((s) => s.lang);
  const toast = useApp((s) => s.toast);
  const allowed = useMay("rules.edit");
  const [rules, setRules] = useState<Rule[] | null>(null);
  const [stages, setStages] = useState<Stage[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<Rule | "new" | null>(null);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);

  useEffect(() => {
    if (!allowed) return;
    const controller = new AbortController();
    const signal = controller.signal;
    Promise.all([ok(api.GET("/api/v1/automation/rules", { signal })), ok(api.GET("/api/v1/pipeline", { signal }))])
      .then(([found, pipeline]) => {
        setRules(found);
        setStages(pipeline.stages.map((s) => ({ key: s.key, title: lang === "en" ? s.title_en : s.title_ru })));
        setError(null);
      })
      .catch((err: unknown) => {
        if (!signal.aborted) setError(errorText(err, common.in(lang)));
      });
    return () => controller.abort();
  }, [allowed, tick, lang]);

  const words = useMemo(() => {
    const titles = new Map(stages.map((s) => [s.key, s.title]));
    return wordsOf(t, tc, (key) => titles.get(key) ?? key, lang);
  }, [stages, t, tc, lang]);

  function saved(rule: Rule, created: boolean): void {
    setRules((had) => [...(had ?? []).filter((r) => r.id !== rule.id), rule].sort((a, b) => a.id.localeCompare(b.id)));
    setEditing(null);
    toast(created ? t("rules.created", { title: rule.title }) : t("rules.saved", { title: rule.title }));
  }

  if (!allowed) return <p className="pad">{t("rules.forbidden")}</p>;
  return (
    <section aria-labelledby="rules-title" className="rules-screen">
      <div className="toolbar">
        <h1 id="rules-title" className="view-title">
          {t("rules.title")}
        </h1>
        <button type="button" className="primary" onClick={() => setEditing("new")} disabled={!rules}>
          {t("rules.new")}
        </button>
      </div>
      <LoadStatus error={error} loaded={Boolean(rules)} onRetry={reload} />
      {rules?.length ? (
        <ul className="rules" aria-label={t("rules.list")}>
          {rules.map((rule) => {
            const said = describe(draftOf(rule), words);
            return (
              <li key={rule.id} className={rule.enabled ? "rule" : "rule off"} data-rule-id={rule.id}>
                <div className="rule-head">
                  <span className="rule-title" id={`rule-${rule.id}`}>
                    {rule.title}
                  </span>
                  <span className={rule.enabled ? "rule-state on" : "rule-state off"}>{rule.enabled ? t("rules.on") : t("rules.off")}</span>
                  <button type="button" aria-describedby={`rule-${rule.id}`} onClick={() => setEditing(rule)}>
                    {t("rules.edit")}
                  </button>
                </div>
                <p className="rule-when">
                  <strong>{t("rules.when")}</strong> {said.when}
                </p>
                <ul className="rule-then">
                  {said.then.map((line, i) => (
                    <li key={i}>
                      <strong>{t("rules.then")}</strong> {line}
                    </li>
                  ))}
                </ul>
              </li>
            );
          })}
        </ul>
      ) : null}
      {editing ? (
        <RuleDialog rule={editing === "new" ? null : editing} stages={stages} onClose={() => setEditing(null)} onSaved={saved} />
      ) : null}
    </section>
  );
}
