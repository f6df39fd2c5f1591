// The board card's flag: the forecast passes the day promised to the customer. An icon and
// text (never colour alone), the full dates in its title and for screen readers.
import type { ReactElement } from "react";
import type { Lang } from "../../store/app";
import { fullDay, shortDay } from "./day";
import { m } from "./messages";
import "./forecast.css";

type Props = { promised: string | null | undefined; forecast: string | null | undefined; lang: Lang };

export function LateFlag({ promised, forecast, lang }: Props): ReactElement | null {
  const t = m.use();
  if (!promised) return null;
  const title = t("late.title", { forecast: fullDay(forecast, lang), promised: fullDay(promised, lang) });
  return (
    <span className="late-flag" title={title} data-testid="late-flag">
      <svg aria-hidden="true" viewBox="0 0 16 16" width="12" height="12">
        <path d="M8 1.5 15 14H1z" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinejoin="round" />
        <path d="M8 6v3.5M8 11.5v.5" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" />
      </svg>
      {t("late.flag", { day: shortDay(promised, lang) })}
      <span className="visually-hidden">. {title}</span>
    </span>
  );
}
