// One card of the board: number, title, customer, time in stage, the next visit, open tasks,
// overdue, late for the promised day (the closing forecast), documents and photos, and the amount for commercial roles (present only when the
// API sent it). Memoised: a live change to another card leaves this one's DOM alone. The card
// is a link to the order; those who may move orders drag it (mouse, finger or keyboard).
import { useDraggable } from "@dnd-kit/core";
import { memo, type ReactElement } from "react";
import { common, type CommonKey } from "../../i18n/common";
import type { Lang } from "../../store/app";
import { formatMoney } from "../deal/amount";
import { LateFlag } from "../forecast/LateFlag";
import { useMinute } from "./clock";
import type { Card } from "./columns";
import { m } from "./messages";
import { timeInStage, visitWhen } from "./time";

// A click that ends a drag must not open the card.
let draggedAt = 0;
export const dragEnded = (): void => {
  draggedAt = Date.now();
};

function InStage({ since }: { since: string | null | undefined }): ReactElement | null {
  const t = m.use();
  const now = useMinute();
  const text = timeInStage(since, now, {
    daysHours: t("time.days_hours"),
    hoursMinutes: t("time.hours_minutes"),
    minutes: t("time.minutes"),
  });
  if (!text) return null;
  return (
    <span className="age" title={t("card.in_stage")}>
      <span className="visually-hidden">{t("card.in_stage")}: </span>
      <svg className="clock" aria-hidden="true" viewBox="0 0 16 16" width="12" height="12">
        <circle cx="8" cy="8" r="6.5" fill="none" stroke="currentColor" strokeWidth="1.5" />
        <path d="M8 4.5V8l2.5 1.5" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" />
      </svg>
      {text}
    </span>
  );
}

function personName(person: Card["manager"]): string {
  if (!person) return "";
  return typeof person === "string" ? person : (person.display_name ?? "");
}

/** What a card shows; the dragged copy (the overlay) shows the same without being a target. */
export function CardBody({ card, lang }: { card: Card; lang: Lang }): ReactElement {
  const t = m.use();
  const tc = common.use();
  const visit = card.next_visit;
  const counts = [
    card.open_tasks ? <span key="tasks" className="meta-tasks">{t("card.tasks", { n: card.open_tasks })}</span> : null,
    card.documents ? <span key="docs" className="meta-docs">{t("card.documents", { n: card.documents })}</span> : null,
    card.photos ? <span key="photos" className="meta-photos">{t("card.photos", { n: card.photos })}</span> : null,
  ].filter(Boolean);
  return (
    <>
      <span className="card-top">
        <span className="number">{t("card.number", { n: card.number })}</span>
        {card.overdue ? <span className="overdue">{t("card.overdue")}</span> : null}
        <InStage since={card.stage_entered_at} />
      </span>
      {card.forecast_late ? <LateFlag promised={card.promised_date} forecast={card.forecast_close} lang={lang} /> : null}
      <span className="card-title">{card.title}</span>
      <span className="card-line">{card.customer.name}</span>
      {visit ? (
        <span className="card-visit">
          <span className="visually-hidden">{t("card.next_visit_label")}: </span>
          {t("card.next_visit", {
            kind: visit.kind ? tc(`kind.${visit.kind}` as CommonKey) : t("card.next_visit_label"),
            when: visitWhen(visit.starts_at, lang),
          })}
          {" · "}
          {personName(visit.assignee) || t("card.no_assignee")}
        </span>
      ) : null}
      {counts.length || card.amount ? (
        <span className="card-meta">
          {counts}
          {card.amount ? <span className="amount">{t("card.amount", { amount: formatMoney(card.amount, lang) })}</span> : null}
        </span>
      ) : null}
    </>
  );
}

type Props = { card: Card; draggable: boolean; lang: Lang };

export const BoardCard = memo(function BoardCard({ card, draggable, lang }: Props): ReactElement {
  const { setNodeRef, listeners, attributes, isDragging } = useDraggable({
    id: card.id,
    data: { card },
    disabled: !draggable,
  });
  return (
    <a
      ref={setNodeRef}
      href={`#/order/${card.id}`}
      className={`card${isDragging ? " dragging" : ""}${draggable ? " movable" : ""}${card.overdue ? " is-overdue" : ""}${card.forecast_late ? " is-late" : ""}`}
      data-order-id={card.id}
      data-version={card.version}
      data-stage={card.stage}
      // Only the instructions: the card stays a link (no role="button"), focusable as one.
      aria-describedby={draggable ? attributes["aria-describedby"] : undefined}
      {...(draggable ? listeners : {})}
      onClick={(event) => {
        if (Date.now() - draggedAt < 400) event.preventDefault();
      }}
    >
      <CardBody card={card} lang={lang} />
    </a>
  );
});
