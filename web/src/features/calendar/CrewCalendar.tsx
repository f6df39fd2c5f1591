// A crew's calendar: every member of one role side by side (a week on a wide screen, one day
// on a phone), their free time, visits, travel buffers, absences and days off, all in the
// browser's local time. With `booking` a click (or a selected range) on free time picks a slot
// and one "Записать" books it; visits can be dragged to another time or person, or opened to
// move them by keyboard or cancel them. Every change is re-read from the server afterwards, so
// what is shown is what the server holds; a refused slot stays marked where it was picked.
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState, type ReactElement } from "react";
import type { Calendar } from "@event-calendar/core";
import { ApiError, type Schemas } from "../../api/client";
import { common, type CommonKey } from "../../i18n/common";
import { useApp } from "../../store/app";
import { bookVisit, calendarError, changeVisit, isConflict, moveChange, type Slot } from "./api";
import { BookingForm } from "./BookingForm";
import { m } from "./messages";
import {
  defaultMinutes,
  draftOf,
  findVisit,
  fits,
  isoDate,
  hiddenWeekdays,
  pendingEvent,
  rangeFor,
  rangeTitle,
  shortName,
  slotAt,
  slotBounds,
  slotOf,
  slotText,
  stepAnchor,
  toEvents,
  toResources,
  viewForWidth,
  type CalendarView,
  type CrewRole,
  type Draft,
  type Meta,
  type VisitKind,
} from "./model";
import { useCrewCalendar } from "./useCrewCalendar";
import { VisitPanel } from "./VisitPanel";
import "./calendar.css";

// The calendar library (with Svelte inside) is loaded with the first calendar shown, not with
// the app: most screens never need it.
const EventCalendar = lazy(() => import("./EventCalendar").then((mod) => ({ default: mod.EventCalendar })));

export type Booking = {
  orderId: string;
  kind: VisitKind;
  /** Move this visit instead of booking a new one. */
  visit?: Schemas["Visit"] | undefined;
  onDone?: ((booked: { visit_id: string; task_id: string }) => void) | undefined;
  /** The manager's note for the crew, sent with a new booking. */
  note?: string | undefined;
};

type Props = {
  role: CrewRole;
  /** Book for an order; without it the calendar only moves and cancels visits. */
  booking?: Booking | undefined;
  /** May the user book, move and cancel (visits.book)? */
  editable: boolean;
};

/** Pixels per 30-minute slot (also given to tests as data-slot-height). */
const SLOT_HEIGHT = 26;
// Constant options live out here: the wrapper hands over every option whose value changed.
const NO_TOOLBAR = { start: "", center: "", end: "" }; // ours is above it
const TIME_FORMAT: Intl.DateTimeFormatOptions = { hour: "numeric", minute: "2-digit" };
const DAY_FORMAT: Intl.DateTimeFormatOptions = { weekday: "short", day: "numeric", month: "short" };
const EMPTY_DRAFT: Draft = { memberId: "", date: "", start: "", end: "" };
const browserZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** The view for the container's width, following resizes (a phone turned sideways). */
function useViewForWidth(): [CalendarView, (el: HTMLDivElement | null) => void] {
  const [view, setView] = useState<CalendarView>(() => viewForWidth(window.innerWidth));
  const observer = useRef<ResizeObserver | null>(null);
  const ref = useCallback((el: HTMLDivElement | null) => {
    observer.current?.disconnect();
    if (!el) return;
    observer.current = new ResizeObserver(([box]) => {
      if (box) setView(viewForWidth(box.contentRect.width));
    });
    observer.current.observe(el);
  }, []);
  useEffect(() => () => observer.current?.disconnect(), []);
  return [view, ref];
}

export function CrewCalendar({ role, booking, editable }: Props): ReactElement {
  const t = m.use();
  const tc = common.use();
  const lang = useApp((s) => s.lang);
  const toast = useApp((s) => s.toast);
  const [view, containerRef] = useViewForWidth();
  const [anchor, setAnchor] = useState(() => (booking?.visit ? new Date(booking.visit.starts_at) : new Date()));
  const range = useMemo(() => rangeFor(view, anchor), [view, anchor]);
  const { entries, numbers, loading, error, reload } = useCrewCalendar(role, range);
  const [draft, setDraft] = useState<Draft>(() =>
    booking?.visit
      ? draftOf({
          memberId: booking.visit.assignee_id,
          start: new Date(booking.visit.starts_at),
          end: new Date(booking.visit.ends_at),
        })
      : EMPTY_DRAFT,
  );
  const [conflict, setConflict] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [status, setStatus] = useState<{ text: string; tone: "info" | "error" } | null>(null);
  const [openVisit, setOpenVisit] = useState<string | null>(null);
  const submitRef = useRef<HTMLButtonElement>(null);
  const canBook = Boolean(booking) && editable;
  const movingId = booking?.visit?.id;

  // A date typed into the form (the keyboard path) brings the calendar to that day or week,
  // so the slot being booked, and whatever refuses it, is in view.
  useEffect(() => {
    const day = draft.date ? new Date(`${draft.date}T12:00`) : null;
    if (day && !Number.isNaN(day.getTime()) && (day < range.from || day >= range.to)) setAnchor(day);
  }, [draft.date]); // eslint-disable-line react-hooks/exhaustive-deps

  const entryOf = useCallback((memberId: string) => entries?.find((e) => e.member.id === memberId), [entries]);
  const nameOf = (memberId: string): string => entryOf(memberId)?.member.display_name ?? "";

  // ---- picking a slot ----
  const pick = (slot: Slot): void => {
    const entry = entryOf(slot.memberId);
    const past = slot.start < new Date();
    const free = !past && Boolean(entry && fits(entry, slot.start, slot.end, movingId));
    setDraft(draftOf(slot));
    setConflict(!free);
    setFormError(
      free ? null : past ? t("book.past") : t("book.not_free", { name: nameOf(slot.memberId) }),
    );
    if (free) submitRef.current?.focus();
  };

  const onDateClick = (info: Calendar.DateClickInfo): void => {
    if (!canBook || !booking || !info.resource) return;
    const entry = entryOf(info.resource.id);
    if (!entry) return;
    const minutes = booking.visit
      ? (new Date(booking.visit.ends_at).getTime() - new Date(booking.visit.starts_at).getTime()) / 60_000
      : defaultMinutes(booking.kind);
    pick({ memberId: entry.member.id, ...slotAt(entry, info.date, minutes) });
  };

  const onSelect = (info: Calendar.SelectInfo): void => {
    if (!canBook || !info.resource) return;
    pick({ memberId: info.resource.id, start: info.start, end: info.end });
  };

  const slot = slotOf(draft);
  const pending = typeof slot === "string" ? null : slot;

  // ---- booking (or moving `booking.visit`) ----
  const submit = async (): Promise<void> => {
    if (!booking) return;
    if (typeof slot === "string") {
      setFormError(t(slot === "incomplete" ? "book.incomplete" : "book.end_before_start"));
      return;
    }
    setSubmitting(true);
    setFormError(null);
    try {
      const when = slotText(slot.start, slot.end, lang);
      if (booking.visit) {
        const visit = booking.visit;
        // The visit as on screen: after a refusal and re-read, the server's current one.
        const shown = entries ? findVisit(entries, visit.id) : null;
        const change = moveChange(
          slot,
          shown?.entry.member.id ?? visit.assignee_id,
          shown?.busy.visit_version ?? visit.version,
        );
        const moved = await changeVisit(visit.id, change);
        // The owner says it when it takes the result (it usually closes this panel).
        if (booking.onDone) booking.onDone({ visit_id: moved.id, task_id: moved.task_id });
        else toast(t("book.moved", { when }));
      } else {
        const booked = await bookVisit(booking.orderId, booking.kind, slot, booking.note);
        setDraft(EMPTY_DRAFT);
        if (booking.onDone) booking.onDone(booked);
        else toast(t("book.booked", { when }));
      }
      setConflict(false);
    } catch (err) {
      // The refused slot stays drawn, marked, where it was picked; the calendar re-reads so
      // whatever holds that time now appears beside it.
      setConflict(isConflict(err));
      setFormError(calendarError(err, t, tc));
    } finally {
      setSubmitting(false);
      reload();
    }
  };

  // ---- dragging a visit: another time (PATCH times) or another person (assignee_id) ----
  const onMove = (info: Calendar.EventDropInfo | Calendar.EventResizeInfo): void => {
    const meta = info.event.extendedProps as Meta;
    if (meta.type !== "visit") return info.revert();
    const target = "newResource" in info && info.newResource ? info.newResource.id : meta.memberId;
    const moved: Slot = { memberId: target, start: info.event.start, end: info.event.end };
    setStatus(null);
    changeVisit(meta.visitId, moveChange(moved, meta.memberId, meta.version))
      .then(() => setStatus({ text: t("book.moved", { when: slotText(moved.start, moved.end, lang) }), tone: "info" }))
      .catch((err: unknown) => {
        info.revert();
        setStatus({
          text:
            err instanceof ApiError && err.code === "slot_taken"
              ? t("drag.taken")
              : t("drag.failed", { error: calendarError(err, t, tc) }),
          tone: "error",
        });
      })
      .finally(reload);
  };

  const dragAllowed = (info: Calendar.EventDropInfo): boolean => {
    const meta = info.event.extendedProps as Meta;
    if (meta.type !== "visit") return false;
    const entry = entryOf(info.newResource?.id ?? meta.memberId);
    if (info.event.start < new Date()) return false;
    return Boolean(entry && fits(entry, info.event.start, info.event.end, meta.visitId));
  };

  const onEventClick = (info: Calendar.EventClickInfo): void => {
    // Opened by Enter: without this the same key press would also "click" the first button of
    // the panel it opens (its close button) and shut it at once.
    if (info.jsEvent.type === "keydown") info.jsEvent.preventDefault();
    const meta = info.event.extendedProps as Meta;
    if (meta.type === "visit") setOpenVisit(meta.visitId);
    else if (meta.type === "pending") submitRef.current?.focus();
  };

  // ---- what EventCalendar gets ----
  const events = useMemo(() => {
    if (!entries) return [];
    const mapped = toEvents(entries, {
      range,
      now: new Date(),
      editable,
      orderId: booking?.orderId,
      labels: {
        kind: (kind) => tc(`kind.${kind}` as CommonKey),
        order: (orderId) => {
          const number = numbers.get(orderId);
          return number ? t("cal.order", { number }) : "";
        },
        travel: t("cal.travel"),
        absence: t("cal.absence"),
        dayOff: t("cal.day_off"),
      },
    });
    if (canBook && pending) {
      mapped.push(pendingEvent({ ...pending, conflict }, conflict ? t("book.taken") : t("book.pending")));
    }
    return mapped;
  }, [entries, range, editable, booking?.orderId, numbers, canBook, pending?.memberId, pending?.start.getTime(), pending?.end.getTime(), conflict, t, tc]); // eslint-disable-line react-hooks/exhaustive-deps

  const resources = useMemo(() => toResources(entries ?? []), [entries]);
  const bounds = useMemo(() => slotBounds(entries ?? []), [entries]);
  const hidden = useMemo(
    () => (view === "resourceTimeGridWeek" ? hiddenWeekdays(entries ?? []) : []),
    [entries, view],
  );

  const weekly = view === "resourceTimeGridWeek";
  const options: Calendar.Options = {
    view,
    date: anchor,
    resources,
    events,
    locale: lang,
    firstDay: 1,
    hiddenDays: hidden,
    headerToolbar: NO_TOOLBAR,
    allDaySlot: false,
    datesAboveResources: true,
    nowIndicator: true,
    slotMinTime: bounds.min,
    slotMaxTime: bounds.max,
    scrollTime: bounds.min,
    slotDuration: "00:30",
    snapDuration: "00:15",
    slotHeight: SLOT_HEIGHT,
    slotLabelFormat: TIME_FORMAT,
    eventTimeFormat: TIME_FORMAT,
    // A week's columns are narrow: the start time, and the kind and order under it.
    displayEventEnd: view !== "resourceTimeGridWeek",
    dayHeaderFormat: DAY_FORMAT,
    selectable: canBook,
    eventStartEditable: editable,
    eventDurationEditable: editable,
    dateClick: onDateClick,
    select: onSelect,
    eventClick: onEventClick,
    eventDrop: onMove,
    eventResize: onMove,
    dragConstraint: dragAllowed,
    eventContent: (info) =>
      renderEvent(info, (memberId) => `${slotText(info.event.start, info.event.end, lang)}, ${nameOf(memberId)}`),
    eventDidMount: markEvent,
    resourceLabelDidMount: markColumn,
    resourceLabelContent: (info) =>
      weekly && resources.length > 2 ? shortName(String(info.resource.title)) : String(info.resource.title),
  };

  const crewZones = [...new Set((entries ?? []).map((e) => e.member.timezone))].filter((z) => z !== browserZone());
  const roleTitle = tc(`role.${role}` as CommonKey);

  return (
    <section className="oms-cal" ref={containerRef} aria-label={t("cal.label", { role: roleTitle })} aria-busy={loading}>
      <div className="oms-cal-toolbar">
        <div className="oms-cal-nav" role="group">
          <button
            type="button"
            aria-label={weekly ? t("cal.prev_week") : t("cal.prev_day")}
            onClick={() => setAnchor((a) => stepAnchor(view, a, -1))}
          >
            ‹
          </button>
          <button type="button" onClick={() => setAnchor(new Date())}>
            {t("cal.today")}
          </button>
          <button
            type="button"
            aria-label={weekly ? t("cal.next_week") : t("cal.next_day")}
            onClick={() => setAnchor((a) => stepAnchor(view, a, 1))}
          >
            ›
          </button>
        </div>
        <p className="oms-cal-title" aria-live="polite">
          {rangeTitle(view, range, lang)}
        </p>
      </div>
      <p className="small muted oms-cal-tz">
        {crewZones.length
          ? t("cal.tz_hint_crew", { tz: browserZone(), crew: crewZones.join(", ") })
          : t("cal.tz_hint", { tz: browserZone() })}{" "}
        {editable && weekly ? t("cal.drag_hint") : ""}
      </p>
      <ul className="oms-legend small" aria-label={t("cal.legend")}>
        <li className="oms-sw-free">{t("cal.legend.free")}</li>
        <li className="oms-sw-visit">{t("cal.legend.visit")}</li>
        {booking ? <li className="oms-sw-this">{t("cal.legend.this_order")}</li> : null}
        <li className="oms-sw-travel">{t("cal.legend.travel")}</li>
        <li className="oms-sw-absence">{t("cal.legend.absence")}</li>
        <li className="oms-sw-off">{t("cal.legend.off")}</li>
      </ul>
      {booking && entries?.length ? (
        canBook ? (
          <BookingForm
            title={t(booking.visit ? "book.move_title" : "book.title", { kind: tc(`kind.${booking.kind}` as CommonKey) })}
            submitLabel={booking.visit ? t("book.move_submit") : t("book.submit")}
            entries={entries}
            draft={draft}
            onDraft={(next) => {
              setDraft(next);
              setConflict(false);
              setFormError(null);
            }}
            onSubmit={() => void submit()}
            onReset={() => {
              setDraft(EMPTY_DRAFT);
              setConflict(false);
              setFormError(null);
            }}
            error={formError}
            busy={submitting}
            submitRef={submitRef}
          />
        ) : (
          <p className="muted">{t("book.no_permission")}</p>
        )
      ) : null}
      {status ? (
        <p className={`oms-cal-status ${status.tone === "error" ? "error" : "ok"}`} role={status.tone === "error" ? "alert" : "status"}>
          {status.text}
        </p>
      ) : null}
      {error ? (
        <div className="banner" role="alert">
          {calendarError(error, t, tc)}{" "}
          <button type="button" onClick={reload}>
            {tc("common.retry")}
          </button>
        </div>
      ) : null}
      {!entries ? (
        error ? null : <p className="muted">{tc("common.loading")}</p>
      ) : entries.length ? (
        <Suspense fallback={<p className="muted">{tc("common.loading")}</p>}>
          <EventCalendar
            options={options}
            className={`oms-ec${weekly ? " oms-week" : " oms-day"}`}
            data={{ "slot-min": bounds.min.slice(0, 5), "slot-height": String(SLOT_HEIGHT) }}
          />
        </Suspense>
      ) : (
        <p className="muted">{t("cal.no_crew")}</p>
      )}
      {openVisit && entries ? (
        <VisitPanel
          key={openVisit}
          visitId={openVisit}
          entries={entries}
          numbers={numbers}
          editable={editable}
          onClose={() => setOpenVisit(null)}
          onChanged={(message) => {
            setOpenVisit(null);
            toast(message);
            reload();
          }}
          onStale={reload}
        />
      ) : null}
    </section>
  );
}

/** An event's inside, built as DOM nodes (no HTML strings): the time and label of a visit or
 * of the picked slot (and, for screen readers, its day, times and person: a column alone does
 * not say whose it is), the label of a travel/absence/day-off band, nothing on free time. */
function renderEvent(info: Calendar.EventContentInfo, spoken: (memberId: string) => string): Calendar.Content {
  const meta = info.event.extendedProps as Meta;
  const nodes: Node[] = [];
  if (meta.type === "visit" || meta.type === "pending") {
    const time = document.createElement("time");
    time.className = "oms-ev-time";
    time.textContent = info.timeText;
    const label = document.createElement("span");
    label.className = "oms-ev-label";
    label.textContent = ` ${meta.label}`;
    const hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = `, ${spoken(meta.memberId)}`;
    nodes.push(time, label, hidden);
  } else if (meta.label) {
    const label = document.createElement("span");
    label.className = "oms-bg-label";
    label.textContent = meta.label;
    nodes.push(label);
  }
  return { domNodes: nodes };
}

/** A column head names its member and day, so a test finds the column to click or drop on. */
function markColumn(info: Calendar.ResourceDidMountInfo): void {
  const head = info.el.closest<HTMLElement>(".ec-col-head") ?? info.el;
  head.dataset.memberId = info.resource.id;
  if (info.date) head.dataset.date = isoDate(info.date);
}

/** Data attributes a browser test finds events and free time by. */
function markEvent(info: Calendar.EventDidMountInfo): void {
  const meta = info.event.extendedProps as Meta;
  const el = info.el;
  el.dataset.type = meta.type;
  if (meta.type === "visit") {
    el.dataset.visitId = meta.visitId;
    el.dataset.orderId = meta.orderId;
    el.dataset.kind = meta.kind;
  } else if (meta.type === "free") {
    el.dataset.memberId = meta.memberId;
    el.dataset.start = info.event.start.toISOString();
    el.dataset.end = info.event.end.toISOString();
  }
}
