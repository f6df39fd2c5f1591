// The pipeline (director, admin): the current version's stages in board order, each with its
// titles, time limit, whether it ends an order, the conditions to leave it (from the gate
// conditions the pipeline knows) and where an order may move on to; a new stage after any
// other; then a preview of the new version, and publishing it from there.
import { useCallback, useEffect, useMemo, useState, type FormEvent, type ReactElement } from "react";
import { api, ok } from "../../api/client";
import { errorText } from "../../app/errors";
import { useMay } from "../../app/roles";
import { common } from "../../i18n/common";
import { useApp } from "../../store/app";
import { Field } from "../../ui/Field";
import { LoadStatus } from "../../ui/LoadStatus";
import { useFocusFirstInvalid } from "../customer/focus";
import { m } from "./messages";
import {
  addStage,
  diff,
  draftOf,
  fixed,
  gateCatalogue,
  moveStage,
  newKeyProblem,
  problemsOf,
  removeStage,
  requestOf,
  setForward,
  setStage,
  type Draft,
  type Pipeline,
  type PipelineRequest,
  type StageDraft,
} from "./model";
import { PreviewDialog } from "./PreviewDialog";
import "./pipeline.css";

type NewStage = { key: string; title_ru: string; title_en: string; after: string };

export function PipelineScreen(): ReactElement {
  const t = m.use();
  const lang = useApp((s) => s.lang);
  const toast = useApp((s) => s.toast);
  const allowed = useMay("pipeline.edit");
  const [current, setCurrent] = useState<Pipeline | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [preview, setPreview] = useState<PipelineRequest | null>(null);
  const [adding, setAdding] = useState<NewStage>({ key: "", title_ru: "", title_en: "", after: "" });
  // Stages shown open: folded, eleven stages are a page to scan rather than to scroll.
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  const { formRef, focusFirstInvalid } = useFocusFirstInvalid();
  // The new stage is a form of its own: Enter in a stage's field must not submit it.
  const adder = useFocusFirstInvalid();

  useEffect(() => {
    if (!allowed) return;
    const controller = new AbortController();
    ok(api.GET("/api/v1/pipeline", { signal: controller.signal }))
      .then((found) => {
        setCurrent(found);
        setDraft(draftOf(found));
        setError(null);
      })
      .catch((err: unknown) => {
        if (!controller.signal.aborted) setError(errorText(err, common.in(lang)));
      });
    return () => controller.abort();
  }, [allowed, tick, lang]);

  const catalogue = useMemo(() => (current ? gateCatalogue(current) : []), [current]);
  const changed = useMemo(() => (current && draft ? diff(current, requestOf(draft)).length : 0), [current, draft]);
  const title = (s: { title_ru: string; title_en: string }): string => (lang === "en" ? s.title_en : s.title_ru) || s.title_ru;

  function edit(next: Draft, ...keys: string[]): void {
    setDraft(next);
    if (keys.length) setErrors((had) => Object.fromEntries(Object.entries(had).filter(([k]) => !keys.includes(k))));
  }

  function openPreview(): void {
    if (!draft) return;
    setFailure(null);
    const found = problemsOf(draft);
    if (Object.keys(found).length) {
      setErrors(Object.fromEntries(Object.entries(found).map(([k, p]) => [k, t(`error.${p}`)])));
      setOpen((had) => new Set([...had, ...Object.keys(found).map((k) => k.split(".")[0] ?? "")]));
      setFailure(t("error.check"));
      focusFirstInvalid();
      return;
    }
    setPreview(requestOf(draft));
  }

  function add(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    if (!draft) return;
    const key = adding.key.trim();
    const problems: Record<string, string> = {};
    const keyProblem = newKeyProblem(draft, key);
    if (keyProblem) problems["new.key"] = t(`error.${keyProblem}`);
    if (!adding.title_ru.trim()) problems["new.title_ru"] = t("error.required");
    if (!adding.title_en.trim()) problems["new.title_en"] = t("error.required");
    if (Object.keys(problems).length) {
      setErrors(problems);
      adder.focusFirstInvalid();
      return;
    }
    const after = adding.after || draft.stages[draft.stages.length - 3]?.key || "intake";
    edit(addStage(draft, after, { key, title_ru: adding.title_ru.trim(), title_en: adding.title_en.trim() }));
    setOpen((had) => new Set([...had, key]));
    setAdding({ key: "", title_ru: "", title_en: "", after: "" });
    toast(t("pipe.added", { title: adding.title_ru.trim() }));
  }

  function published(p: Pipeline): void {
    setPreview(null);
    setCurrent(p);
    setDraft(draftOf(p));
    setOpen(new Set());
    toast(t("pipe.published", { version: p.version }));
  }

  if (!allowed) return <p className="pad">{t("pipe.forbidden")}</p>;
  return (
    <section aria-labelledby="pipe-title" className="pipe-screen">
      <div className="toolbar">
        <h1 id="pipe-title" className="view-title">
          {t("pipe.title")}
        </h1>
        {current ? <span className="pipe-version">{t("pipe.version", { version: current.version })}</span> : null}
      </div>
      <LoadStatus error={error} loaded={Boolean(current)} onRetry={reload} />
      {current && draft ? (
        <>
        <form ref={formRef} className="pipe-form" onSubmit={(e) => e.preventDefault()} noValidate>
          <p className="muted">{t("pipe.intro")}</p>
          <ol className="pipe-stages" aria-label={t("pipe.stages")}>
            {draft.stages.map((s, i) => (
              <StageCard
                key={s.key}
                stage={s}
                index={i}
                draft={draft}
                errors={errors}
                catalogue={catalogue}
                title={title}
                onEdit={edit}
                open={open.has(s.key)}
                onToggle={(shown) =>
                  setOpen((had) => {
                    if (had.has(s.key) === shown) return had;
                    const next = new Set(had);
                    if (shown) next.add(s.key);
                    else next.delete(s.key);
                    return next;
                  })
                }
              />
            ))}
          </ol>
        </form>
        <form ref={adder.formRef} onSubmit={add} noValidate>
          <fieldset className="pipe-add">
            <legend>{t("pipe.add")}</legend>
            <div className="pipe-grid">
              <Field label={t("pipe.add_key")} hint={t("pipe.add_key_hint")} error={errors["new.key"]}>
                {(aria) => (
                  <input
                    {...aria}
                    autoCapitalize="none"
                    spellCheck={false}
                    maxLength={63}
                    value={adding.key}
                    onChange={(e) => (setAdding({ ...adding, key: e.currentTarget.value }), edit(draft, "new.key"))}
                  />
                )}
              </Field>
              <Field label={`${t("pipe.add")}: ${t("pipe.title_ru").toLowerCase()}`} error={errors["new.title_ru"]}>
                {(aria) => (
                  <input {...aria} maxLength={100} value={adding.title_ru} onChange={(e) => (setAdding({ ...adding, title_ru: e.currentTarget.value }), edit(draft, "new.title_ru"))} />
                )}
              </Field>
              <Field label={`${t("pipe.add")}: ${t("pipe.title_en").toLowerCase()}`} error={errors["new.title_en"]}>
                {(aria) => (
                  <input {...aria} maxLength={100} value={adding.title_en} onChange={(e) => (setAdding({ ...adding, title_en: e.currentTarget.value }), edit(draft, "new.title_en"))} />
                )}
              </Field>
              <Field label={t("pipe.add_after")}>
                {(aria) => (
                  <select {...aria} value={adding.after || (draft.stages[draft.stages.length - 3]?.key ?? "")} onChange={(e) => setAdding({ ...adding, after: e.currentTarget.value })}>
                    {draft.stages
                      .filter((s) => s.key !== "cancelled")
                      .map((s) => (
                        <option key={s.key} value={s.key}>
                          {title(s)}
                        </option>
                      ))}
                  </select>
                )}
              </Field>
            </div>
            <button type="submit">{t("pipe.add_button")}</button>
          </fieldset>
        </form>

          {failure ? (
            <p className="error" role="alert">
              {failure}
            </p>
          ) : null}
          <div className="pipe-actions">
            <span className="muted" role="status">
              {changed ? t("pipe.draft", { n: changed }) : t("pipe.clean")}
            </span>
            <button type="button" className="primary" onClick={openPreview}>
              {t("pipe.preview")}
            </button>
            <button type="button" disabled={!changed} onClick={() => (setDraft(draftOf(current)), setErrors({}), setFailure(null))}>
              {t("pipe.reset")}
            </button>
          </div>
        </>
      ) : null}
      {preview && current ? <PreviewDialog current={current} next={preview} onClose={() => setPreview(null)} onPublished={published} /> : null}
    </section>
  );
}

type CardProps = {
  stage: StageDraft;
  index: number;
  draft: Draft;
  errors: Record<string, string>;
  catalogue: ReturnType<typeof gateCatalogue>;
  title: (s: { title_ru: string; title_en: string }) => string;
  onEdit: (next: Draft, ...keys: string[]) => void;
  open: boolean;
  onToggle: (open: boolean) => void;
};

function StageCard({ stage: s, index: i, draft, errors, catalogue, title, onEdit, open, onToggle }: CardProps): ReactElement {
  const t = m.use();
  const lang = useApp((st) => st.lang);
  const [gatePick, setGatePick] = useState("");
  const name = title(s);
  const later = draft.stages.slice(i + 1).filter((x) => x.key !== "cancelled");
  const offered = catalogue.filter((g) => !s.gate.some((h) => h.code === g.code));
  const message = (g: { message_ru: string; message_en: string }): string => (lang === "en" ? g.message_en : g.message_ru);
  const facts = [
    s.limit.trim() ? t("pipe.facts_limit", { n: s.limit }) : t("pipe.facts_no_limit"),
    t("pipe.facts_gates", { n: s.gate.length }),
    ...(s.terminal ? [t("pipe.facts_terminal")] : []),
  ].join(" · ");
  return (
    <li className={`pipe-stage${s.terminal ? " terminal" : ""}`} data-stage={s.key}>
      <details open={open} onToggle={(e) => onToggle(e.currentTarget.open)}>
      <summary className="pipe-summary">
        <span className="pipe-stage-name">{t("pipe.stage", { n: i + 1, title: name })}</span> <span className="pipe-key">{s.key}</span>{" "}
        <span className="pipe-facts">{facts}</span>
      </summary>
      <div className="pipe-stage-head">
        <div className="pipe-stage-tools">
          <button type="button" aria-label={t("pipe.up", { title: name })} disabled={i === 0 || fixed(s.key)} onClick={() => onEdit(moveStage(draft, i, -1))}>
            ↑
          </button>
          <button
            type="button"
            aria-label={t("pipe.down", { title: name })}
            disabled={i === draft.stages.length - 1 || fixed(s.key)}
            onClick={() => onEdit(moveStage(draft, i, 1))}
          >
            ↓
          </button>
          {fixed(s.key) ? (
            <span className="muted small">{t("pipe.fixed")}</span>
          ) : (
            <button type="button" className="danger" onClick={() => onEdit(removeStage(draft, s.key))}>
              {t("pipe.remove", { title: name })}
            </button>
          )}
        </div>
      </div>
      <div className="pipe-grid">
        <Field label={t("pipe.title_ru")} error={errors[`${s.key}.title_ru`]}>
          {(aria) => (
            <input {...aria} maxLength={100} value={s.title_ru} onChange={(e) => onEdit(setStage(draft, s.key, { title_ru: e.currentTarget.value }), `${s.key}.title_ru`)} />
          )}
        </Field>
        <Field label={t("pipe.title_en")} error={errors[`${s.key}.title_en`]}>
          {(aria) => (
            <input {...aria} maxLength={100} value={s.title_en} onChange={(e) => onEdit(setStage(draft, s.key, { title_en: e.currentTarget.value }), `${s.key}.title_en`)} />
          )}
        </Field>
        <Field label={t("pipe.limit")} hint={t("pipe.limit_hint")} error={errors[`${s.key}.limit`]}>
          {(aria) => (
            <input
              {...aria}
              type="number"
              min={0}
              step="any"
              inputMode="decimal"
              value={s.limit}
              onChange={(e) => onEdit(setStage(draft, s.key, { limit: e.currentTarget.value }), `${s.key}.limit`)}
            />
          )}
        </Field>
      </div>
      <label className="check">
        <input
          type="checkbox"
          checked={s.terminal}
          disabled={fixed(s.key)}
          onChange={(e) => onEdit(setStage(draft, s.key, { terminal: e.currentTarget.checked }))}
        />
        {t("pipe.terminal")}
      </label>
      <div className="pipe-gate" role="group" aria-label={`${t("pipe.gate")}: ${name}`}>
        <p className="pipe-sub">{t("pipe.gate")}</p>
        {s.gate.length ? (
          <ul className="pipe-chips">
            {s.gate.map((g) => (
              <li key={g.code}>
                <span>{message(g)}</span>
                <button
                  type="button"
                  className="link"
                  aria-label={t("pipe.gate_remove", { message: message(g) })}
                  onClick={() => onEdit(setStage(draft, s.key, { gate: s.gate.filter((h) => h.code !== g.code) }))}
                >
                  ✕
                </button>
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted small">{t("pipe.gate_none")}</p>
        )}
        {offered.length ? (
          <div className="row wrap">
            <select aria-label={t("pipe.gate_choose", { title: name })} value={gatePick} onChange={(e) => setGatePick(e.currentTarget.value)}>
              <option value="">{t("pipe.gate_pick")}</option>
              {offered.map((g) => (
                <option key={g.code} value={g.code}>
                  {message(g)}
                </option>
              ))}
            </select>
            <button
              type="button"
              disabled={!gatePick}
              onClick={() => {
                const picked = catalogue.find((g) => g.code === gatePick);
                if (picked) onEdit(setStage(draft, s.key, { gate: [...s.gate, picked] }));
                setGatePick("");
              }}
            >
              {t("pipe.gate_add")}
            </button>
          </div>
        ) : null}
      </div>
      <div className="pipe-forward" role="group" aria-label={`${t("pipe.forward")}: ${name}`}>
        <p className="pipe-sub">{t("pipe.forward")}</p>
        {s.terminal || !later.length ? (
          <p className="muted small">{t("pipe.forward_none")}</p>
        ) : (
          <div className="pipe-targets">
            {later.map((x) => (
              <label key={x.key} className="check">
                <input
                  type="checkbox"
                  checked={(draft.forward[s.key] ?? []).includes(x.key)}
                  onChange={(e) => onEdit(setForward(draft, s.key, x.key, e.currentTarget.checked))}
                />
                {title(x)}
              </label>
            ))}
          </div>
        )}
      </div>
      </details>
    </li>
  );
}
