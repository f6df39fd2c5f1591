// "My tasks" for field staff: today's visits and what to do, completed from the phone.
// Tasks come grouped (today, overdue, later; finished ones on request), each with its order,
// the visit's time and the customer's address and phone (from the order's board card).
// A background refresh never wipes a half-filled form: the forms are keyed by task id.
import { useCallback, useEffect, useId, useState, type ReactElement } from "react";
import { Link } from "wouter";
import { ApiError, api, ok, type Schemas } from "../../api/client";
import { errorText } from "../../app/errors";
import { common, type CommonKey } from "../../i18n/common";
import { useApp, type Lang } from "../../store/app";
import { dateTime, timeOfDay } from "../order/format";
import { useLiveRefetch } from "../order/live";
import { CompleteForm } from "./CompleteForm";
import { GROUPS, groupOf, groupTasks, type Task, type TaskGroup } from "./group";
import { m, type TasksKey } from "./messages";
import "./tasks.css";

type Card = Schemas["BoardCard"];
type Loaded = { tasks: Task[]; cards: Record<string, Card> };

const GROUP_TITLE: Record<TaskGroup, TasksKey> = {
  today: "tasks.group.today",
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

export function kindLabel(kind: string | null | undefined, tc: (key: CommonKey) => string): string {
  return kind && KINDS.includes(kind) ? tc(`kind.${kind}` as CommonKey) : (kind ?? "");
}

export function TasksScreen(): ReactElement {
  const t = m.use();
  const tc = common.use();
  const lang = useApp((s) => s.lang);
  const [withDone, setWithDone] = useState(false);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<{ text: string; absent: boolean } | null>(null);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  const doneId = useId();

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
              () => null,
            ),
          ),
        );
        if (signal.aborted) return;
        const byId: Record<string, Card> = {};
        for (const card of cards) if (card) byId[card.id] = card;
        setLoaded({ tasks, cards: byId });
        setError(null);
      } catch (err) {
        if (signal.aborted) return;
        const absent = err instanceof ApiError && (err.status === 404 || err.status === 405);
        setError({ text: absent ? m.in(lang)("tasks.unavailable") : errorText(err, common.in(lang)), absent });
      }
    })();
    return () => controller.abort();
  }, [withDone, tick, lang]);

  useLiveRefetch(["board"], reload);

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
      </div>
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
                  today={group === "today"}
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

type ItemProps = { task: Task; card: Card | undefined; today: boolean; lang: Lang; reload: () => void };

function TaskItem({ task, card, today, lang, reload }: ItemProps): ReactElement {
  const t = m.use();
  const tc = common.use();
  const [completing, setCompleting] = useState(false);
  const id = useId();
  const open = task.status === "open";
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
        <span className={`pill ${task.status}`}>{STATUS[task.status] ? t(STATUS[task.status] as TasksKey) : task.status}</span>
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
              <dd>{customer.address_text}</dd>
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
                <a href={`tel:${customer.phone}`}>{customer.phone}</a>
              </dd>
            </>
          ) : null}
        </dl>
      ) : null}
      {task.note && !open ? <p className="muted small">{task.note}</p> : null}
      {open && !completing ? (
        <div className="row wrap">
          <button type="button" className="primary" onClick={() => setCompleting(true)} aria-describedby={`${id}-title`}>
            {t("tasks.complete")}
          </button>
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
        />
      ) : null}
    </article>
  );
}
