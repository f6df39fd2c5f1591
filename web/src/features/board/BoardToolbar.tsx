// The board's title, search (debounced, kept in the link), quick filters — mine, overdue,
// manager, assignee — and the "new order" button for those who create orders.
import { useEffect, useId, useRef, useState, type ReactElement } from "react";
import { api, ok, type Schemas } from "../../api/client";
import { audienceOf, may } from "../../app/roles";
import { common, type CommonKey } from "../../i18n/common";
import { useApp } from "../../store/app";
import type { Person } from "../customer/knownManagers";
import { NO_FILTERS, hasFilters, type Filters } from "./filters";
import { m } from "./messages";

type Props = {
  filters: Filters;
  onFilters: (next: Filters) => void;
  managers: Person[];
  total: number | null;
  onNewOrder: () => void;
};

export function BoardToolbar({ filters, onFilters, managers, total, onNewOrder }: Props): ReactElement {
  const t = m.use();
  const tc = common.use();
  const role = useApp((s) => s.me?.role);
  const field = audienceOf(role) === "field";
  const seeAll = may(role, "orders.see_all");
  const [text, setText] = useState(filters.q);
  const [crew, setCrew] = useState<Schemas["CrewMember"][]>([]);
  const managerId = useId();
  const assigneeId = useId();

  const sent = useRef(filters.q);

  // Typed text reaches the link (and the board) 300 ms after the last key.
  useEffect(() => {
    if (text.trim() === filters.q) return;
    const timer = setTimeout(() => {
      sent.current = text.trim();
      onFilters({ ...filters, q: text.trim() });
    }, 300);
    return () => clearTimeout(timer);
  }, [text, filters, onFilters]);
  // The link changed under us (back button, a shared link): show its search. What we sent
  // ourselves is not echoed back, or it would undo keys typed since.
  useEffect(() => {
    if (filters.q !== sent.current) {
      sent.current = filters.q;
      setText(filters.q);
    }
  }, [filters.q]);

  useEffect(() => {
    if (!seeAll) return;
    const controller = new AbortController();
    ok(api.GET("/api/v1/crew", { signal: controller.signal }))
      .then(setCrew)
      .catch(() => setCrew([])); // the filter is a convenience: without crew it is not offered
    return () => controller.abort();
  }, [seeAll]);

  return (
    <div className="toolbar board-toolbar">
      <h1 className="view-title">{t("board.title")}</h1>
      <div className="search">
        <label htmlFor="board-search" className="visually-hidden">
          {t("board.search_label")}
        </label>
        <input
          id="board-search"
          type="search"
          autoComplete="off"
          placeholder={t("board.search_placeholder")}
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
        />
      </div>
      <div className="filters" role="group" aria-label={t("filter.label")}>
        {field ? null : (
          <button type="button" className="toggle" aria-pressed={filters.mine} onClick={() => onFilters({ ...filters, mine: !filters.mine })}>
            {t("filter.mine")}
          </button>
        )}
        <button
          type="button"
          className="toggle"
          aria-pressed={filters.overdue}
          onClick={() => onFilters({ ...filters, overdue: !filters.overdue })}
        >
          {t("filter.overdue")}
        </button>
        {seeAll ? (
          <div className="filter-select">
            <label htmlFor={managerId}>{t("filter.manager")}</label>
            <select id={managerId} value={filters.manager} onChange={(e) => onFilters({ ...filters, manager: e.currentTarget.value })}>
              <option value="">{t("filter.all")}</option>
              {managers.map((person) => (
                <option key={person.id} value={person.id}>
                  {person.display_name}
                </option>
              ))}
              {filters.manager && !managers.some((p) => p.id === filters.manager) ? (
                <option value={filters.manager}>{filters.manager}</option>
              ) : null}
            </select>
          </div>
        ) : null}
        {seeAll && crew.length ? (
          <div className="filter-select">
            <label htmlFor={assigneeId}>{t("filter.assignee")}</label>
            <select id={assigneeId} value={filters.assignee} onChange={(e) => onFilters({ ...filters, assignee: e.currentTarget.value })}>
              <option value="">{t("filter.all")}</option>
              {crew.map((member) => (
                <option key={member.id} value={member.id}>
                  {t("filter.crew_member", {
                    name: member.display_name ?? member.username,
                    role: tc(`role.${member.role}` as CommonKey),
                  })}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        {hasFilters(filters) ? (
          <button
            type="button"
            className="link clear"
            onClick={() => {
              sent.current = "";
              setText("");
              onFilters(NO_FILTERS);
            }}
          >
            {t("filter.clear")}
          </button>
        ) : null}
      </div>
      <div className="toolbar-end">
        {total !== null ? (
          <span className="muted total" role="status">
            {t("board.total", { n: total })}
          </span>
        ) : null}
        {may(role, "orders.create") ? (
          <button type="button" className="primary" onClick={onNewOrder}>
            {t("board.new_order")}
          </button>
        ) : null}
      </div>
    </div>
  );
}
