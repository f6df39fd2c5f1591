// The office's task list (managers and directors): every open task of every person, overdue
// ones first and marked, filtered by person, role or order, and a «Новая задача» for a task
// on no order. Field staff keep their own "My tasks" (TasksScreen). Live: a `board` frame
// re-reads the list (a task made or done elsewhere shows up here).
import { useCallback, useEffect, useId, useMemo, useState, type ReactElement } from "react";
import { Link } from "wouter";
import { api, ok, type Schemas } from "../../api/client";
import { errorText } from "../../app/errors";
import { common, type CommonKey } from "../../i18n/common";
import { useApp } from "../../store/app";
import { LoadStatus } from "../../ui/LoadStatus";
import { dateTime, since } from "../order/format";
import { useLiveRefetch } from "../order/live";
import { kindLabel } from "./TasksScreen";
import { m } from "./messages";
import { NewTaskDialog, TASK_ROLES } from "./NewTaskDialog";
import { NO_FILTER, isOverdue, officeTasks, type OfficeFilter } from "./office";
import type { Task } from "./group";
import "./tasks.css";

type Member = Schemas["CrewMember"];
type Order = { id: string; number: number; title: string };
type Loaded = { tasks: Task[]; crew: Member[]; orders: Record<string, Order> };

export function OfficeTasksScreen(): ReactElement {
  const t = m.use();
  const tc = common.use();
  const lang = useApp((s) => s.lang);
  const toast = useApp((s) => s.toast);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [filter, setFilter] = useState<OfficeFilter>(NO_FILTER);
  const [creating, setCreating] = useState(false);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  const ids = { person: useId(), role: useId(), order: useId() };

  useEffect(() => {
    const controller = new AbortController();
    const signal = controller.signal;
    Promise.all([
      ok(api.GET("/api/v1/tasks", { params: { query: { status: "open" } }, signal })),
      ok(api.GET("/api/v1/crew", { signal })).catch(() => [] as Member[]),
      // The orders' numbers and titles, for the list and its order filter: one board read.
      ok(api.GET("/api/v1/board", { params: { query: { lang, limit: 500 } }, signal })).catch(() => null),
    ])
      .then(([tasks, crew, board]) => {
        const orders: Record<string, Order> = {};
        for (const column of board?.columns ?? []) for (const card of column.cards) orders[card.id] = card;
        setLoaded({ tasks, crew, orders });
        setError(null);
      })
      .catch((err: unknown) => {
        if (!signal.aborted) setError(errorText(err, common.in(lang)));
      });
    return () => controller.abort();
  }, [tick, lang]);

  useLiveRefetch(["board"], reload);

  const now = new Date();
  const people = useMemo(() => Object.fromEntries((loaded?.crew ?? []).map((p) => [p.id, p])), [loaded]);
  const shown = loaded ? officeTasks(loaded.tasks, filter, now, (id) => people[id]?.role) : [];
  const late = shown.filter((task) => isOverdue(task, now)).length;
  const withTasks = loaded
    ? [...new Set(loaded.tasks.map((task) => task.order_id).filter((id): id is string => Boolean(id)))]
    : [];
  const orderLabel = (id: string): string => {
    const order = loaded?.orders[id];
    return order ? `${t("tasks.order", { n: order.number })} · ${order.title}` : t("tasks.open_order");
  };
  const roleLabel = (role: string): string => tc(`role.${role}` as CommonKey);
  const set = (key: keyof OfficeFilter, value: string): void => setFilter((had) => ({ ...had, [key]: value }));

  return (
    <section className="tasks-screen office-tasks" aria-labelledby="office-tasks-title">
      <div className="toolbar">
        <h1 id="office-tasks-title" className="view-title">
          {t("office.title")}
        </h1>
        <button type="button" className="primary" onClick={() => setCreating(true)}>
          {t("new.open")}
        </button>
      </div>
      <div className="toolbar office-filters" role="group" aria-label={t("office.filters")}>
        <label htmlFor={ids.person}>{t("office.person")}</label>
        <select id={ids.person} value={filter.assignee} onChange={(e) => set("assignee", e.currentTarget.value)}>
          <option value="">{t("office.anyone")}</option>
          {(loaded?.crew ?? []).map((p) => (
            <option key={p.id} value={p.id}>
              {p.display_name || p.username}
            </option>
          ))}
        </select>
        <label htmlFor={ids.role}>{t("office.role")}</label>
        <select id={ids.role} value={filter.role} onChange={(e) => set("role", e.currentTarget.value)}>
          <option value="">{t("office.any_role")}</option>
          {TASK_ROLES.map((role) => (
            <option key={role} value={role}>
              {roleLabel(role)}
            </option>
          ))}
        </select>
        <label htmlFor={ids.order}>{t("office.order")}</label>
        <select id={ids.order} value={filter.order} onChange={(e) => set("order", e.currentTarget.value)}>
          <option value="">{t("office.any_order")}</option>
          {withTasks.map((id) => (
            <option key={id} value={id}>
              {orderLabel(id)}
            </option>
          ))}
        </select>
        {filter !== NO_FILTER ? (
          <button type="button" className="link" onClick={() => setFilter(NO_FILTER)}>
            {t("office.clear")}
          </button>
        ) : null}
      </div>
      <LoadStatus error={error} loaded={Boolean(loaded)} onRetry={reload} />
      {loaded ? (
        <p className="office-summary" role="status">
          {t("office.summary", { n: shown.length })}
          {late ? (
            <>
              {" · "}
              <strong className="late">{t("office.overdue_count", { n: late })}</strong>
            </>
          ) : null}
        </p>
      ) : null}
      {loaded && !shown.length ? <p className="muted pad">{t("office.none")}</p> : null}
      {shown.length ? (
        <ul className="office-list">
          {shown.map((task) => {
            const overdue = isOverdue(task, now);
            const person = task.assignee_id ? people[task.assignee_id] : undefined;
            const who = person
              ? `${person.display_name || person.username} · ${roleLabel(person.role)}`
              : task.assignee_role
                ? t("office.any_of", { role: roleLabel(task.assignee_role) })
                : "—";
            const due = task.visit_starts_at ?? task.due_at;
            return (
              <li key={task.id} className={`panel task office-task${overdue ? " task-late" : ""}`}>
                <div className="row spread">
                  <h2 className="task-title">{task.title || kindLabel(task.kind, tc)}</h2>
                  {overdue ? <span className="pill late-pill">{t("office.overdue")}</span> : null}
                </div>
                <dl className="task-facts">
                  <dt>{t("office.assignee")}</dt>
                  <dd>{who}</dd>
                  <dt>{t("office.due")}</dt>
                  <dd className={overdue ? "late" : undefined}>
                    {due ? dateTime(due, lang) : t("office.no_due")}
                    {overdue && due ? ` (${t("office.late_by", { time: since(due, lang) })})` : ""}
                  </dd>
                  {task.order_id ? (
                    <>
                      <dt>{t("office.order")}</dt>
                      <dd>
                        <Link href={`/order/${task.order_id}`}>{orderLabel(task.order_id)}</Link>
                      </dd>
                    </>
                  ) : null}
                </dl>
              </li>
            );
          })}
        </ul>
      ) : null}
      {creating ? (
        <NewTaskDialog
          onClose={() => setCreating(false)}
          onCreated={() => {
            setCreating(false);
            toast(t("new.created"));
            reload();
          }}
        />
      ) : null}
    </section>
  );
}
