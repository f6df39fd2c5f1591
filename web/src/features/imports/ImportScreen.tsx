// «Импорт из Битрикс24» (admin, issue 20): the company's deals brought over as orders, in four
// steps an admin without a technical background can follow: (1) a file — the CSV export or the
// REST export as JSON, dropped or picked; (2) a dry run at once, and where Bitrix24 has stages
// we do not, a select of ours for each (a dry run again with that map); (3) the report in
// words; (4) the import itself, with a progress bar when it runs long (202), then what it made
// with links to the orders. The import uses the stage map of the dry run the admin last saw.
import { useCallback, useEffect, useRef, useState, type ReactElement } from "react";
import { api, isAbort, ok } from "../../api/client";
import { errorText } from "../../app/errors";
import { useMay } from "../../app/roles";
import { common } from "../../i18n/common";
import { useApp } from "../../store/app";
import { LoadStatus } from "../../ui/LoadStatus";
import { runImport } from "./calls";
import { m } from "./messages";
import {
  documentOf,
  FileProblem,
  initialChoices,
  kindOf,
  MAX_FILE,
  nextMap,
  problemOfError,
  summarize,
  type Job,
  type Report,
  type Source,
  type Stage,
  type StageMap,
} from "./model";
import { FilePicker } from "./FilePicker";
import { ReportView } from "./ReportView";
import { PastImports } from "./PastImports";
import { Progress } from "./Progress";
import "./imports.css";

type Phase = "choose" | "checking" | "review" | "importing" | "done";
const STEP_OF: Record<Phase, number> = { choose: 0, checking: 1, review: 2, importing: 3, done: 3 };

export function ImportScreen(): ReactElement {
  const t = m.use();
  const lang = useApp((s) => s.lang);
  const allowed = useMay("imports.run");
  const [stages, setStages] = useState<Stage[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  const [phase, setPhase] = useState<Phase>("choose");
  const [source, setSource] = useState<Source | null>(null);
  const [size, setSize] = useState(0);
  // The map the last dry run used (what the import will use), and the admin's selects.
  const [map, setMap] = useState<StageMap>({});
  const [choices, setChoices] = useState<StageMap>({});
  const [stale, setStale] = useState(false);
  const [dry, setDry] = useState<Report | null>(null);
  const [result, setResult] = useState<Report | null>(null);
  const [job, setJob] = useState<Job | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  // Bumped when an import ends, so the list of past imports shows it.
  const [history, setHistory] = useState(0);
  const running = useRef<AbortController | null>(null);
  const reportHeading = useRef<HTMLHeadingElement>(null);
  const resultHeading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (!allowed) return;
    const controller = new AbortController();
    ok(api.GET("/api/v1/pipeline", { signal: controller.signal }))
      .then((p) => {
        setStages(p.stages);
        setLoadError(null);
      })
      .catch((err: unknown) => {
        if (!isAbort(err)) setLoadError(errorText(err, common.in(lang)));
      });
    return () => controller.abort();
  }, [allowed, tick, lang]);

  // Leaving the screen stops following an import (the import itself goes on on the server).
  useEffect(() => () => running.current?.abort(), []);

  function say(err: unknown): void {
    if (isAbort(err)) return;
    const found = problemOfError(err);
    setProblem(found ? t(found.key, { ...found.params, detail: found.detail ?? "" }) : errorText(err, common.in(lang)));
  }

  // `remembered`: the admin's choices so far, a stage left unmapped on purpose ("") included,
  // so a suggestion they turned down is not offered again.
  // `first`: the file's first check; when it fails the picker is back for another file.
  async function check(from: Source, using: StageMap, remembered: StageMap, first = false): Promise<void> {
    const controller = new AbortController();
    running.current = controller;
    setPhase("checking");
    setProblem(null);
    setJob(null);
    setResult(null);
    try {
      const report = await runImport(from, using, true, setJob, controller.signal);
      setMap(using);
      setDry(report);
      const first = initialChoices(report.unmapped_stages, stages ?? [], { ...remembered, ...using });
      setChoices(first);
      // A suggested stage is not in this report yet: the admin confirms it with a check.
      setStale(Object.values(first).some(Boolean));
      setPhase("review");
      requestAnimationFrame(() => reportHeading.current?.focus());
    } catch (err) {
      say(err);
      if (first) setSource(null);
      setPhase(first ? "choose" : "review");
    } finally {
      setJob(null);
    }
  }

  async function chosen(file: File): Promise<void> {
    setProblem(null);
    setDry(null);
    setResult(null);
    setMap({});
    try {
      const kind = kindOf(file.name);
      if (!kind) throw new FileProblem("file.kind");
      if (file.size === 0) throw new FileProblem("file.empty");
      if (file.size > MAX_FILE) {
        setSource(null);
        setProblem(t("problem.too_large"));
        return;
      }
      const next: Source =
        kind === "json"
          ? { kind, name: file.name, document: documentOf(await file.text()) }
          : { kind, name: file.name, file };
      setSource(next);
      setSize(file.size);
      await check(next, {}, {}, true);
    } catch (err) {
      if (err instanceof FileProblem) {
        setSource(null);
        setProblem(t(err.key));
        setPhase("choose");
      } else say(err);
    }
  }

  async function importNow(): Promise<void> {
    if (!source) return;
    const controller = new AbortController();
    running.current = controller;
    setPhase("importing");
    setProblem(null);
    setJob(null);
    try {
      const report = await runImport(source, map, false, setJob, controller.signal);
      setResult(report);
      setPhase("done");
      requestAnimationFrame(() => resultHeading.current?.focus());
    } catch (err) {
      say(err);
      setPhase("review");
    } finally {
      setJob(null);
      setHistory((n) => n + 1);
    }
  }

  function startOver(): void {
    running.current?.abort();
    setSource(null);
    setDry(null);
    setResult(null);
    setMap({});
    setChoices({});
    setProblem(null);
    setPhase("choose");
  }

  if (!allowed) return <p className="pad">{t("imp.forbidden")}</p>;
  const busy = phase === "checking" || phase === "importing";
  const steps = ["imp.step.file", "imp.step.check", "imp.step.report", "imp.step.import"] as const;
  const summary = dry ? summarize(dry) : null;
  return (
    <section aria-labelledby="imp-title" className="imp-screen">
      <div className="toolbar">
        <h1 id="imp-title" className="view-title">
          {t("imp.title")}
        </h1>
      </div>
      <ol className="imp-steps" aria-label={t("imp.steps")}>
        {steps.map((key, i) => (
          <li
            key={key}
            className={i < STEP_OF[phase] ? "done" : i === STEP_OF[phase] ? "current" : undefined}
            aria-current={i === STEP_OF[phase] ? "step" : undefined}
          >
            <span className="imp-step-n" aria-hidden="true">
              {i + 1}
            </span>{" "}
            {t(key)}
          </li>
        ))}
      </ol>
      <LoadStatus error={loadError} loaded={Boolean(stages)} onRetry={reload} />
      {stages ? (
        <>
          <p className="muted imp-intro">{t("imp.intro")}</p>
          {problem ? (
            <div className="banner" role="alert">
              <strong>{t("problem.title")}.</strong> {problem}
            </div>
          ) : null}

          <div className="panel">
            <h2>{t("file.title")}</h2>
            {source ? (
              <div className="row wrap">
                <span className="imp-file">{t("file.chosen", { name: source.name, size: t("file.kb", { n: Math.max(1, Math.round(size / 1024)) }) })}</span>
                <button type="button" onClick={startOver} disabled={phase === "importing"}>
                  {t("file.other")}
                </button>
              </div>
            ) : (
              <FilePicker onFile={(file) => void chosen(file)} disabled={busy} />
            )}
          </div>

          {phase === "checking" ? (
            <div className="panel" aria-busy="true">
              <h2>{t("check.title")}</h2>
              <Progress job={job} label={t("check.running")} counted={(done, total) => t("check.progress", { done, total })} />
            </div>
          ) : null}

          {dry && summary && phase !== "checking" ? (
            <>
              {dry.unmapped_stages.length || stale ? (
                <StageMapForm
                  unmapped={dry.unmapped_stages}
                  stages={stages}
                  choices={choices}
                  stale={stale}
                  disabled={busy}
                  onChoose={(stage, ours) => {
                    setChoices((had) => ({ ...had, [stage]: ours }));
                    setStale(true);
                  }}
                  onCheck={() => source && void check(source, nextMap(map, dry.unmapped_stages, choices), choices)}
                />
              ) : null}
              {phase !== "done" ? (
                <div className="panel">
                  <h2 ref={reportHeading} tabIndex={-1}>
                    {t("report.dry_title")}
                  </h2>
                  <ReportView report={dry} stages={stages} />
                </div>
              ) : null}
              {phase === "review" || phase === "importing" ? (
                <div className="panel">
                  <h2>{t("run.title")}</h2>
                  {phase === "importing" ? (
                    <Progress job={job} label={t("run.running")} counted={(done, total) => t("run.progress", { done, total })} />
                  ) : (
                    <>
                      <p>{t("run.explain", { created: summary.created, updated: summary.updated })}</p>
                      {stale ? (
                        <p className="imp-stale">{t("run.check_first")}</p>
                      ) : summary.needsMap ? (
                        <p className="muted">{t("check.unmapped_left")}</p>
                      ) : null}
                      <button type="button" className="primary" onClick={() => void importNow()} disabled={stale || busy}>
                        {t("run.button")}
                      </button>
                    </>
                  )}
                </div>
              ) : null}
            </>
          ) : null}

          {phase === "done" && result ? (
            <div className="panel imp-result">
              <h2 ref={resultHeading} tabIndex={-1}>
                {t("report.done_title")}
              </h2>
              <ReportView report={result} stages={stages} />
              <div className="row wrap">
                <button type="button" onClick={() => void importNow()}>
                  {t("run.again")}
                </button>
                <button type="button" onClick={startOver}>
                  {t("run.new_file")}
                </button>
              </div>
            </div>
          ) : null}
          <PastImports stages={stages} tick={history} />
        </>
      ) : null}
    </section>
  );
}

function StageMapForm(props: {
  unmapped: string[];
  stages: Stage[];
  choices: StageMap;
  stale: boolean;
  disabled: boolean;
  onChoose: (stage: string, ours: string) => void;
  onCheck: () => void;
}): ReactElement {
  const t = m.use();
  const lang = useApp((s) => s.lang);
  const title = (s: Stage): string => (lang === "en" ? s.title_en : s.title_ru) || s.title_ru;
  return (
    <form
      className="panel imp-map"
      onSubmit={(e) => {
        e.preventDefault();
        props.onCheck();
      }}
    >
      <h2>{t("check.stages_title")}</h2>
      {props.unmapped.length ? <p className="muted">{t("check.stages_intro")}</p> : null}
      {props.unmapped.map((stage, i) => (
        <div key={stage} className="imp-map-row">
          <label htmlFor={`imp-map-${i}`}>{t("check.stage_label", { stage })}</label>
          <select
            id={`imp-map-${i}`}
            value={props.choices[stage] ?? ""}
            onChange={(e) => props.onChoose(stage, e.currentTarget.value)}
            disabled={props.disabled}
          >
            <option value="">{t("check.skip_stage")}</option>
            {props.stages.map((s) => (
              <option key={s.key} value={s.key}>
                {title(s)}
              </option>
            ))}
          </select>
        </div>
      ))}
      {props.stale ? (
        <p className="imp-stale" role="status">
          {t("check.stale")}
        </p>
      ) : null}
      <button type="submit" className={props.stale ? "primary" : undefined} disabled={props.disabled}>
        {t("check.again")}
      </button>
    </form>
  );
}
