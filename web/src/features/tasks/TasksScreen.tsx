// "My tasks" for field staff — today's and tomorrow's visits first — and what to do, done from
// the phone. Tasks come grouped (today, tomorrow, overdue, later; finished ones on request),
// each with its order, the visit's time, the customer's address (a link that opens the map
// app with the route) and phone (tap to call), for an installer the order's measurements, and
// a photo button that keeps the photos in the outbox until they are sent. The last list read
// is kept on the phone (IndexedDB): without signal the screen shows it, saying how old it is.
// A background refresh never wipes a half-filled form: the forms are keyed by task id.
import { useCallback, useEffect, useId, useRef, useState, type ChangeEvent, type ReactElement } from "react";
import { Link } from "wouter";
import { ApiError, api, isAbort, ok, type Schemas } from "../../api/client";
import { errorText } from "../../app/errors";
import { common, type CommonKey } from "../../i18n/common";
import { may, type Capability } from "../../app/roles";
import { useApp, type Lang } from "../../store/app";
import { contentTypeOf } from "../media/kinds";
import { CheckInOut } from "../onsite/CheckInOut";
import { sendOnSite } from "../outbox/onsite";
import { m as om } from "../outbox/messages";
import { enqueue, flush, itemKey } from "../outbox/outbox";
import { OutboxPanel } from "../outbox/OutboxPanel";
import { keepOriginals, photosToKeep } from "../outbox/scale";
import { send } from "../outbox/send";
import { readCache, saveCache, type OutboxItem } from "../outbox/store";
import { useOutbox } from "../outbox/useOutbox";
import { dateTime, timeOfDay } from "../order/format";
import { useLiveRefetch } from "../order/live";
import { CompleteForm } from "./CompleteForm";
import { GROUPS, groupOf, groupTasks, type Task, type TaskGroup } from "./group";
import { mapLinks, telLink } from "./maps";
import { m, type TasksKey } from "./messages";
import "./tasks.css";

type Card = Schemas["BoardCard"];
type Rooms = Schemas["RoomOut"][];
// `measured`: an installation's order → the rooms its measurement found (what to install).
// `visits`: the crew member's own visits by id, with their check-in/out times.
type Loaded = {
  tasks: Task[];
  cards: Record<string, Card>;
  measured: Record<string, Rooms>;
  visits?: Record<string, Schemas["Visit"]>;
};
const cacheName = (userId: string): string => `tasks:${userId}`;
// The kinds of visit whose photos are the visit's work (their purpose is the kind's name).
const PHOTO_KINDS = ["measurement", "installation", "rework"];

/** The visits of the orders with open visit tasks, by id (their check-in/out times). */
async function visitsOf(tasks: Task[], signal: AbortSignal): Promise<Record<string, Schemas["Visit"]>> {
  const ids = [...new Set(tasks.filter((t) => t.status === "open" && t.visit_id && t.order_id).map((t) => t.order_id as string))];
  const found: Record<string, Schemas["Visit"]> = {};
  await Promise.all(
    ids.map(async (orderId) => {
      const visits = await ok(api.GET("/api/v1/orders/{order_id}/visits", { params: { path: { order_id: orderId } }, signal })).catch(
        orNothing([]),
      );
      for (const visit of visits) found[visit.id] = visit;
    }),
  );
  return found;
}

/** Orders of open installation (and rework) tasks → their measurement's rooms, read once. */
async function measurementsOf(tasks: Task[], signal: AbortSignal): Promise<Record<string, Rooms>> {
  const ids = [
    ...new Set(
      tasks
        .filter((task) => task.status === "open" && (task.kind === "installation" || task.kind === "rework"))
        .map((task) => task.order_id)
        .filter((id): id is string => Boolean(id)),
    ),
  ];
  const found: Record<string, Rooms> = {};
  await Promise.all(
    ids.map(async (orderId) => {
      const all = await ok(api.GET("/api/v1/tasks", { params: { query: { order_id: orderId } }, signal })).catch(orNothing([]));
      const measured = all
        .filter((task) => task.kind === "measurement" && task.status === "done" && task.results?.rooms.length)
        .sort((a, b) => (b.completed_at ?? "").localeCompare(a.completed_at ?? ""))[0];
      if (measured?.results) found[orderId] = measured.results.rooms;
    }),
  );
  return found;
}

const GROUP_TITLE: Record<TaskGroup, TasksKey> = {
  today: "tasks.group.today",
  tomorrow: "tasks.group.tomorrow",
  overdue: "tasks.group.overdue",
  later: "tasks.group.later",
  done: "tasks.group.done",
};
const STATUS: Record<string, TasksKey> = {
  open: "tasks.status_open",
  done: "tasks.status_done",
  cancelled: "tasks.status_cancelled",
};
const KINDS = ["measurement", "delivery", "installation", "rework"];

/** A part of the list the server refuses (an order no longer shown to this person) is left
 * out; the network failing half-way fails the whole read, so the phone's copy is shown and
 * kept instead of a list without addresses and numbers. */
function orNothing<T>(nothing: T): (err: unknown) => T {
  return (err) => {
    if ((err instanceof ApiError && err.status === 0) || isAbort(err)) throw err;
    return nothing;
  };
}

export function kindLabel(kind: string | null | undefined, tc: (key: CommonKey) => string): string {
  return kind && KINDS.includes(kind) ? tc(`kind.${kind}` as CommonKey) : (kind ?? "");
}

export function TasksScreen(): ReactElement {
  const t = m.use();
  const tc = common.use();
  const lang = useApp((s) => s.lang);
  const userId = useApp((s) => s.me?.id ?? "");
  const [withDone, setWithDone] = useState(false);
  const [originals, setOriginals] = useState(keepOriginals.get);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const loadedRef = useRef<Loaded | null>(null);
  loadedRef.current = loaded;
  const [savedAt, setSavedAt] = useState<string | null>(null); // shown from the phone's copy
  const [error, setError] = useState<{ text: string; absent: boolean } | null>(null);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  const doneId = useId();
  const originalsId = useId();
  const { items } = useOutbox();

  useEffect(() => {
    const controller = new AbortController();
    const signal = controller.signal;
    (async () => {
      try {
        const query = withDone ? { mine: true } : { mine: true, status: "open" as const };
        const tasks = await ok(api.GET("/api/v1/tasks", { params: { query }, signal }));
        const ids = [...new Set(tasks.map((task) => task.order_id).filter((id): id is string => Boolean(id)))];
        // The address and phone are the order's: one small read per order (a worker has a few).
        const cards = await Promise.all(
          ids.map((id) =>
            ok(api.GET("/api/v1/board/cards/{order_id}", { params: { path: { order_id: id }, query: { lang } }, signal })).catch(
              orNothing(null),
            ),
          ),
        );
        const [measured, visits] = await Promise.all([measurementsOf(tasks, signal), visitsOf(tasks, signal)]);
        if (signal.aborted) return;
        const byId: Record<string, Card> = {};
        for (const card of cards) if (card) byId[card.id] = card;
        const fresh = { tasks, cards: byId, measured, visits };
        setLoaded(fresh);
        setSavedAt(null);
        setError(null);
        // The phone's copy, for the next time there is no signal (open tasks only: the list
        // a crew member opens the app for).
        if (!withDone && userId) void saveCache(cacheName(userId), fresh).catch(() => undefined);
      } catch (err) {
        if (signal.aborted) return;
        if (err instanceof ApiError && err.status === 0 && userId) {
          const kept = await readCache<Loaded>(cacheName(userId)).catch(() => null);
          if (signal.aborted) return;
          if (kept) {
            setLoaded({ ...kept.data, measured: kept.data.measured ?? {} });
            setSavedAt(kept.savedAt);
            setError(null);
            return;
          }
        }
        // A list already on the screen stays there when a later read fails without signal.
        if (err instanceof ApiError && err.status === 0 && loadedRef.current) return;
        const absent = err instanceof ApiError && (err.status === 404 || err.status === 405);
        setError({ text: absent ? m.in(lang)("tasks.unavailable") : errorText(err, common.in(lang)), absent });
      }
    })();
    return () => controller.abort();
  }, [withDone, tick, lang, userId]);

  useLiveRefetch(["board"], reload);
  // Something from the outbox has reached the server: read the list again.
  const sent = items.filter((item) => item.state === "sent").length;
  const seenSent = useRef(sent);
  useEffect(() => {
    if (sent > seenSent.current) reload();
    seenSent.current = sent;
  }, [sent, reload]);

  const now = new Date();
  const groups = loaded ? groupTasks(loaded.tasks, now) : null;
  return (
    <section className="tasks-screen" aria-labelledby="tasks-title">
      <div className="toolbar">
        <h1 id="tasks-title" className="view-title">
          {t("tasks.title")}
        </h1>
        <label htmlFor={doneId} className="check">
          <input id={doneId} type="checkbox" checked={withDone} onChange={(e) => setWithDone(e.currentTarget.checked)} />
          {t("tasks.show_done")}
        </label>
        <label htmlFor={originalsId} className="check" title={t("tasks.originals_hint")}>
          <input
            id={originalsId}
            type="checkbox"
            checked={originals}
            onChange={(e) => {
              keepOriginals.set(e.currentTarget.checked);
              setOriginals(e.currentTarget.checked);
            }}
          />
          {t("tasks.keep_originals")}
        </label>
      </div>
      {savedAt ? (
        <p className="stale-note" role="status">
          {t("tasks.saved_at", { at: dateTime(savedAt, lang) })}
        </p>
      ) : null}
      <OutboxPanel />
      {error ? (
        <p className={error.absent ? "muted pad" : "error pad"} role={error.absent ? undefined : "alert"}>
          {error.text}{" "}
          {error.absent ? null : (
            <button type="button" onClick={reload}>
              {tc("common.retry")}
            </button>
          )}
        </p>
      ) : null}
      {!groups && !error ? <p className="muted pad">{tc("common.loading")}</p> : null}
      {groups && loaded && !loaded.tasks.length ? (
        <p className="muted pad">{withDone ? t("tasks.none_at_all") : t("tasks.none")}</p>
      ) : null}
      {groups
        ? GROUPS.filter((group) => groups[group].length).map((group) => (
            <section key={group} className={`task-group group-${group}`} aria-labelledby={`tasks-${group}`}>
              <h2 id={`tasks-${group}`}>
                {t(GROUP_TITLE[group])} <span className="count-pill">{groups[group].length}</span>
              </h2>
              {groups[group].map((task) => (
                <TaskItem
                  key={task.id}
                  task={task}
                  card={task.order_id ? loaded?.cards[task.order_id] : undefined}
                  rooms={task.order_id ? loaded?.measured[task.order_id] : undefined}
                  visit={task.visit_id ? loaded?.visits?.[task.visit_id] : undefined}
                  marks={items.filter((item) => item.type === "request" && item.path.startsWith(`/api/v1/visits/${task.visit_id}/`))}
                  queued={items.filter((item) => item.state !== "sent" && ofTask(item, task))}
                  today={group === "today" || group === "tomorrow"}
                  lang={lang}
                  reload={reload}
                />
              ))}
            </section>
          ))
        : null}
    </section>
  );
}

/** Is this outbox item about this task: its completion, or a photo of its visit? */
function ofTask(item: OutboxItem, task: Task): boolean {
  if (item.type === "request") return item.path === `/api/v1/tasks/${task.id}/complete`;
  return item.orderId === task.order_id && (item.visitId ?? null) === (task.visit_id ?? null) && item.purpose === task.kind;
}

type ItemProps = {
  task: Task;
  card: Card | undefined;
  rooms: Rooms | undefined;
  visit: Schemas["Visit"] | undefined;
  marks: OutboxItem[]; // this visit's check-in/out in the outbox
  queued: OutboxItem[];
  today: boolean;
  lang: Lang;
  reload: () => void;
};

function TaskItem({ task, card, rooms, visit, marks, queued, today, lang, reload }: ItemProps): ReactElement {
  const t = m.use();
  const tc = common.use();
  const role = useApp((s) => s.me?.role);
  const [completing, setCompleting] = useState(false);
  const id = useId();
  const queuedDone = queued.some((item) => item.type === "request");
  const queuedPhotos = queued.filter((item) => item.type === "photo").length;
  const open = task.status === "open" && !queuedDone;
  const takesPhotos =
    task.status === "open" && Boolean(task.order_id) && PHOTO_KINDS.includes(task.kind) && may(role, `media.attach.${task.kind}` as Capability);
  const links = mapLinks(card?.customer.address_text, null, navigator.userAgent);
  const me = useApp((s) => s.me?.id);
  // A check-in or check-out still in the outbox counts as made (its time is the tap's).
  const marked = (act: string): string | null => {
    const item = marks.find((i) => i.type === "request" && i.path.endsWith(`/${act}`));
    const at = item?.type === "request" ? (item.body as { at?: string } | null)?.at : undefined;
    return at ?? null;
  };
  const onSite =
    visit && visit.assignee_id === me && visit.status === "booked" && task.status === "open"
      ? {
          visit_id: visit.id,
          status: visit.status,
          checked_in_at: visit.checked_in_at ?? marked("check-in"),
          checked_out_at: visit.checked_out_at ?? marked("check-out"),
        }
      : null;
  const title = task.title || kindLabel(task.kind, tc);
  const at = (iso: string): string => (today ? timeOfDay(iso, lang) : dateTime(iso, lang));
  let when = "";
  if (task.visit_starts_at) {
    when = task.visit_ends_at
      ? t("tasks.visit_range", { at: at(task.visit_starts_at), end: timeOfDay(task.visit_ends_at, lang) })
      : t("tasks.visit_at", { at: at(task.visit_starts_at) });
  } else if (task.due_at) {
    when = t("tasks.due", { at: dateTime(task.due_at, lang) });
  }
  const overdue = open && groupOf(task, new Date()) === "overdue";
  const customer = card?.customer;
  return (
    <article className={`panel task ${task.status}${overdue ? " task-late" : ""}`} aria-labelledby={`${id}-title ${id}-order`}>
      <div className="row spread">
        <h3 id={`${id}-title`}>{title}</h3>
        {queuedDone ? (
          <span className="pill queued">{t("tasks.status_queued")}</span>
        ) : (
          <span className={`pill ${task.status}`}>{STATUS[task.status] ? t(STATUS[task.status] as TasksKey) : task.status}</span>
        )}
      </div>
      <p className="task-when">
        {task.title && task.title !== kindLabel(task.kind, tc) ? `${kindLabel(task.kind, tc)} · ` : ""}
        <strong className={overdue ? "late" : undefined}>{when}</strong>
      </p>
      {task.order_id ? (
        <p id={`${id}-order`} className="task-order">
          <Link href={`/order/${task.order_id}`}>
            {card ? `${t("tasks.order", { n: card.number })} · ${card.title}` : t("tasks.open_order")}
          </Link>
        </p>
      ) : (
        <span id={`${id}-order`} hidden />
      )}
      {customer ? (
        <dl className="task-facts">
          {customer.address_text ? (
            <>
              <dt>{t("tasks.address")}</dt>
              <dd>
                {links ? (
                  <a href={links.route} target="_blank" rel="noopener noreferrer" aria-label={t("tasks.route_to", { address: customer.address_text })}>
                    {customer.address_text}
                  </a>
                ) : (
                  customer.address_text
                )}
                {links?.geo ? (
                  <>
                    {" · "}
                    <a href={links.geo}>{t("tasks.other_map")}</a>
                  </>
                ) : null}
              </dd>
            </>
          ) : null}
          {customer.name ? (
            <>
              <dt>{t("tasks.customer")}</dt>
              <dd>{customer.name}</dd>
            </>
          ) : null}
          {customer.phone ? (
            <>
              <dt>{t("tasks.phone")}</dt>
              <dd>
                <a href={telLink(customer.phone)}>{customer.phone}</a>
              </dd>
            </>
          ) : null}
        </dl>
      ) : null}
      {task.visit_note ? (
        <p className="visit-note">
          <strong>{t("tasks.visit_note")}:</strong> {task.visit_note}
        </p>
      ) : null}
      {rooms?.length ? (
        <details className="task-rooms">
          <summary>{t("tasks.measured", { n: rooms.length })}</summary>
          <ul>
            {rooms.map((room, i) => (
              <li key={i}>
                <strong>{room.name}</strong>: {room.width_mm} × {room.height_mm}
                {room.depth_mm ? ` × ${room.depth_mm}` : ""} {t("tasks.mm")}
                {room.notes ? <span className="muted"> — {room.notes}</span> : null}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      {task.note && !open ? <p className="muted small">{task.note}</p> : null}
      {task.order_id ? (
        <p className="task-links row wrap">
          <Link href={`/order/${task.order_id}`}>{t("tasks.card_and_chat")}</Link>
        </p>
      ) : null}
      {queuedPhotos ? <p className="queued-note">{t("tasks.photos_queued", { n: queuedPhotos })}</p> : null}
      {(open && !completing) || takesPhotos || onSite ? (
        <div className="row wrap task-actions">
          {onSite ? <CheckInOut visit={onSite} send={sendOnSite} onDone={reload} /> : null}
          {takesPhotos && task.order_id ? <PhotoButton task={task} orderId={task.order_id} card={card} /> : null}
          {open && !completing ? (
            <button type="button" className="primary" onClick={() => setCompleting(true)} aria-describedby={`${id}-title`}>
              {t("tasks.complete")}
            </button>
          ) : null}
        </div>
      ) : null}
      {open && completing ? (
        <CompleteForm
          task={task}
          title={title}
          onDone={() => {
            setCompleting(false);
            reload();
          }}
          onCancel={() => setCompleting(false)}
          onStale={reload}
          onQueued={() => setCompleting(false)}
        />
      ) : null}
    </article>
  );
}

/** "Photo": the camera (or the gallery), then each picture scaled and kept in the outbox
 * with its visit; the outbox sends them when it can. Two taps: this button, the shutter. */
function PhotoButton({ task, orderId, card }: { task: Task; orderId: string; card: Card | undefined }): ReactElement {
  const t = m.use();
  const lang = useApp((s) => s.lang);
  const toast = useApp((s) => s.toast);
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);

  async function take(event: ChangeEvent<HTMLInputElement>): Promise<void> {
    const files = [...(event.currentTarget.files ?? [])];
    event.currentTarget.value = ""; // the same picture may be chosen again later
    if (!files.length) return;
    setBusy(true);
    const label = om.in(lang)("outbox.photo", { order: card ? t("tasks.order", { n: card.number }) : t("tasks.open_order") });
    try {
      for (const file of files) {
        const base = { type: "photo" as const, orderId, visitId: task.visit_id ?? null, purpose: task.kind };
        for (const kept of await photosToKeep(file, keepOriginals.get())) {
          const named = kept.original ? `${label} · ${t("tasks.original")}` : label;
          const photo = { filename: kept.file.name, contentType: contentTypeOf(kept.file), blob: kept.file };
          await enqueue({ ...base, ...photo, key: itemKey(), label: named });
        }
      }
      toast(t("tasks.photos_taken", { n: files.length }));
    } finally {
      setBusy(false);
    }
    void flush(send).catch(() => undefined);
  }

  return (
    <>
      <input
        ref={input}
        type="file"
        accept="image/*"
        capture="environment"
        multiple
        hidden
        data-testid={`photo-input-${task.id}`}
        onChange={(e) => void take(e)}
      />
      <button type="button" className="photo-button" disabled={busy} onClick={() => input.current?.click()}>
        {t("tasks.take_photo")}
      </button>
    </>
  );
}
