// The period: presets as toggle buttons (one pressed), and a custom from/to with its own
// "show" button, checked here before any read (a day missing, or the start after the end).
import { useEffect, useState, type FormEvent, type ReactElement } from "react";
import { Field } from "../../ui/Field";
import { m } from "./messages";
import { companyToday, customProblem, presetRange, PRESETS, type Period, type Preset } from "./period";

type Props = { period: Period; onChange: (p: Period) => void };

const PROBLEM = { from: "period.bad_from", to: "period.bad_to", order: "period.bad_order" } as const;

export function PeriodPicker({ period, onChange }: Props): ReactElement {
  const t = m.use();
  const [custom, setCustom] = useState(period.preset === "custom");
  const [from, setFrom] = useState(period.from);
  const [to, setTo] = useState(period.to);
  const [problem, setProblem] = useState<keyof typeof PROBLEM | null>(null);
  // A period from the link (back, reload) shows in the fields too.
  useEffect(() => {
    setFrom(period.from);
    setTo(period.to);
    setCustom(period.preset === "custom");
  }, [period.from, period.to, period.preset]);

  function choose(preset: Preset): void {
    setProblem(null);
    if (preset === "custom") {
      setCustom(true);
      return;
    }
    setCustom(false);
    onChange({ preset, ...presetRange(preset, companyToday()) });
  }

  function apply(event: FormEvent): void {
    event.preventDefault();
    const wrong = customProblem(from, to);
    setProblem(wrong);
    if (!wrong) onChange({ preset: "custom", from, to });
  }

  const pressed = custom ? "custom" : period.preset;
  return (
    <div className="period">
      <div role="group" aria-label={t("period.label")} className="period-presets">
        {PRESETS.map((preset) => (
          <button key={preset} type="button" aria-pressed={pressed === preset} onClick={() => choose(preset)}>
            {t(`period.${preset}`)}
          </button>
        ))}
      </div>
      {custom ? (
        <form className="period-custom" onSubmit={apply} noValidate>
          <Field label={t("period.from")} error={problem === "from" || problem === "order" ? t(PROBLEM[problem]) : null}>
            {(props) => <input {...props} type="date" value={from} onChange={(e) => setFrom(e.currentTarget.value)} />}
          </Field>
          <Field label={t("period.to")} error={problem === "to" ? t(PROBLEM.to) : null}>
            {(props) => <input {...props} type="date" value={to} onChange={(e) => setTo(e.currentTarget.value)} />}
          </Field>
          <button type="submit" className="primary">
            {t("period.apply")}
          </button>
        </form>
      ) : null}
    </div>
  );
}
