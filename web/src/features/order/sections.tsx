// The order card's read-only sections: customer, the stage's gate (what this role is asked
// for), deal terms (present only for roles that may see them), visits, tasks and results.
import { useState, type ReactElement, type ReactNode } from "react";
import { api, ok, type Schemas } from "../../api/client";
import { errorText } from "../../app/errors";
import { may, worksOrders } from "../../app/roles";
import { common, type CommonKey } from "../../i18n/common";
import { useApp, type Lang } from "../../store/app";
import { dateTime, timeOfDay } from "./format";
import { m, type OrderKey } from "./messages";

export type OrderCard = Schemas["OrderCard"];
export type BoardCard = Schemas["BoardCard"];
const KINDS = ["measurement", "delivery", "installation", "rework"];

export function kindText(kind: string | null | undefined, tc: (key: CommonKey) => string): string {
  return kind && KINDS.includes(kind) ? tc(`kind.${kind}` as CommonKey) : (kind ?? "");
}

function statusText(prefix: "visit.status" | "task.status", status: string, t: (key: OrderKey) => string): string {
  const key = `${prefix}.${status}`;
  return key in STATUS_KEYS ? t(key as OrderKey) : status;
}
const STATUS_KEYS: Record<string, true> = {
  "visit.status.booked": true,
  "visit.status.done": true,
  "visit.status.cancelled": true,
  "task.status.open": true,
  "task.status.done": true,
  "task.status.cancelled": true,
};

export function CustomerSection({ card, board, children }: { card: OrderCard; board: BoardCard | null; children?: ReactNode }): ReactElement {
  const t = m.use();
  const c = card.customer;
  const address = c.address_text ?? (typeof c.address === "string" ? c.address : c.address?.text) ?? "";
  const manager = card.manager?.display_name ?? (typeof board?.manager === "object" ? board?.manager?.display_name : board?.manager);
  return (
    <section className="panel" aria-labelledby="order-customer">
      <h2 id="order-customer">{t("order.customer")}</h2>
      <dl className="facts">
        <dt>{t("order.customer_name")}</dt>
        <dd>{c.name || "—"}</dd>
        <dt>{t("order.phone")}</dt>
        <dd>{c.phone ? <a className="tel" href={`tel:${c.phone}`}>{c.phone}</a> : "—"}</dd>
        <dt>{t("order.address")}</dt>
        <dd>{address || "—"}</dd>
        {card.description ? (
          <>
            <dt>{t("order.description")}</dt>
            <dd className="pre">{card.description}</dd>
          </>
        ) : null}
        {manager ? (
          <>
            <dt>{t("order.manager")}</dt>
            <dd>{manager}</dd>
          </>
        ) : null}
      </dl>
      {children}
    </section>
  );
}

/** What blocks leaving the stage, as far as this role is told. Field roles are shown only the
 * conditions they can act on (the rest are hidden from them), so an empty list tells them
 * nothing is needed from them, not that the order may move on. */
export function GateSection({ card, onChanged }: { card: OrderCard; onChanged: () => void }): ReactElement | null {
  const t = m.use();
  const tc = common.use();
  const role = useApp((s) => s.me?.role);
  const toast = useApp((s) => s.toast);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const unmet = card.gate?.unmet ?? [];
  const terminal = !(card.next_stages ?? []).length && unmet.length === 0;
  const production = may(role, "production.finish") && card.stage === "production";
  if (!card.gate && !production) return null;

  async function finish(): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      await ok(api.POST("/api/v1/orders/{order_id}/production/finished", { params: { path: { order_id: card.id } } }));
      toast(t("production.marked"));
      onChanged();
    } catch (err) {
      setError(errorText(err, tc));
      onChanged(); // a 409 means the card moved on: show what the server has
    } finally {
      setBusy(false);
    }
  }

  let body: ReactElement;
  if (terminal) body = <p className="muted">{t("gate.terminal")}</p>;
  else if (unmet.length) {
    body = (
      <>
        <p>{t("gate.blocked")}</p>
        <ul className="unmet">
          {unmet.map((u, i) => (
            <li key={`${u.code}-${i}`}>{u.message || u.code}</li>
          ))}
        </ul>
      </>
    );
  } else if (worksOrders(role)) body = <p className="ok">{t("gate.clear")}</p>;
  else body = <p className="muted">{t("gate.nothing_for_you")}</p>;

  const stage = card.stage_title ?? card.stage;
  return (
    <section className="panel" aria-labelledby="order-gate">
      <h2 id="order-gate">{t("gate.title", { stage })}</h2>
      {card.gate ? body : null}
      {production ? (
        card.production_finished ? (
          <p className="ok">{t("production.done")}</p>
        ) : (
          <button type="button" className="primary" disabled={busy} onClick={() => void finish()}>
            {t("production.finish")}
          </button>
        )
      ) : null}
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
    </section>
  );
}

/** The deal terms, read-only (the form to change them is DealForm). Present only when the
 * server sent them: field roles never get a deal. */
export function DealFacts({ deal, lang }: { deal: NonNullable<OrderCard["deal"]>; lang: Lang }): ReactElement {
  const t = m.use();
  const amount = Number(deal.amount);
  const money = Number.isFinite(amount)
    ? amount.toLocaleString(lang === "ru" ? "ru-RU" : "en-GB", { maximumFractionDigits: 2 })
    : deal.amount;
  const rows: [OrderKey, string][] = [
    ["deal.amount", money],
    ["deal.decor", deal.decor],
    ["deal.finishing", deal.finishing],
    ["deal.extra_work", deal.extra_work],
    ["deal.payment_terms", deal.payment_terms],
  ];
  return (
    <dl className="facts">
      {rows.map(([key, value]) => (
        <div key={key} className="fact-row">
          <dt>{t(key)}</dt>
          <dd className="pre">{value || "—"}</dd>
        </div>
      ))}
    </dl>
  );
}

type Visit = NonNullable<OrderCard["visits"]>[number];
type WorkProps = {
  card: OrderCard;
  names: Record<string, string>;
  lang: Lang;
  children?: ReactNode;
  /** More for one visit's line (its on-site times, the assignee's check-in button). */
  visitExtra?: (visit: Visit) => ReactNode;
};

export function WorkSection({ card, names, lang, children, visitExtra }: WorkProps): ReactElement {
  const t = m.use();
  const tc = common.use();
  const visits = [...(card.visits ?? [])].sort((a, b) => a.starts_at.localeCompare(b.starts_at));
  const tasks = card.tasks ?? [];
  const visitTasks = new Set(visits.map((v) => v.task_id));
  const otherTasks = tasks.filter((task) => !visitTasks.has(task.id) && !task.results);
  const results = tasks.filter((task) => task.results);
  return (
    <section className="panel" aria-labelledby="order-work">
      <h2 id="order-work">{t("order.visits")}</h2>
      {!visits.length && !tasks.length ? <p className="muted">{t("order.visits_none")}</p> : null}
      {visits.length ? (
        <ul className="plain visits">
          {visits.map((v) => (
            <li key={v.visit_id} className={`visit ${v.status}`}>
              <strong>{kindText(v.kind, tc)}</strong> · {dateTime(v.starts_at, lang)}–{timeOfDay(v.ends_at, lang)}
              {names[v.assignee_id] ? ` · ${names[v.assignee_id]}` : ""}
              <span className="muted"> · {statusText("visit.status", v.status, t)}</span>
              {visitExtra?.(v)}
            </li>
          ))}
        </ul>
      ) : null}
      {otherTasks.length ? (
        <>
          <h3>{t("order.tasks")}</h3>
          <ul className="plain">
            {otherTasks.map((task) => (
              <li key={task.id}>
                {task.title || kindText(task.kind, tc)}
                <span className="muted">
                  {" · "}
                  {statusText("task.status", task.status, t)}
                  {task.assignee_id && names[task.assignee_id] ? ` · ${names[task.assignee_id]}` : ""}
                  {!task.assignee_id && task.assignee_role ? ` · ${tc(`role.${task.assignee_role}` as CommonKey)}` : ""}
                  {task.due_at ? ` · ${t("task.due", { at: dateTime(task.due_at, lang) })}` : ""}
                </span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {results.map((task) => (
        <div key={task.id} className="results">
          <h3>{t("order.results", { kind: kindText(task.kind, tc) })}</h3>
          {task.results?.rooms.length ? (
            <div className="table-scroll" tabIndex={0} role="region" aria-label={t("order.results", { kind: kindText(task.kind, tc) })}>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t("rooms.name")}</th>
                    <th scope="col">{t("rooms.width")}</th>
                    <th scope="col">{t("rooms.height")}</th>
                    <th scope="col">{t("rooms.depth")}</th>
                    <th scope="col">{t("rooms.notes")}</th>
                  </tr>
                </thead>
                <tbody>
                  {task.results.rooms.map((room, i) => (
                    <tr key={i}>
                      <td>{room.name}</td>
                      <td>{room.width_mm}</td>
                      <td>{room.height_mm}</td>
                      <td>{room.depth_mm ?? ""}</td>
                      <td>{room.notes ?? ""}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
          {task.results?.notes ? <p className="pre">{task.results.notes}</p> : null}
          {task.note && task.note !== task.results?.notes ? <p className="muted pre">{task.note}</p> : null}
        </div>
      ))}
      {children}
    </section>
  );
}
