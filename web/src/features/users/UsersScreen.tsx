// Users (admin's home): everyone who may sign in, with their role and whether they still may;
// a search by name or username; a new user, and each one's change (name, role, access, a
// new password) in a dialog. Active people first: a deactivated one is kept, not deleted,
// so order history keeps their name.
import { useCallback, useEffect, useMemo, useState, type ReactElement } from "react";
import { api, ok } from "../../api/client";
import { errorText } from "../../app/errors";
import { useMay } from "../../app/roles";
import { common, type CommonKey } from "../../i18n/common";
import { useApp } from "../../store/app";
import { LoadStatus } from "../../ui/LoadStatus";
import { m } from "./messages";
import { matches, sortUsers, type User } from "./model";
import { UserDialog } from "./UserDialog";
import "./users.css";

export function UsersScreen(): ReactElement {
  const t = m.use();
  const tc = common.use();
  const lang = useApp((s) => s.lang);
  const me = useApp((s) => s.me);
  const toast = useApp((s) => s.toast);
  const allowed = useMay("users.admin");
  const [users, setUsers] = useState<User[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [query, setQuery] = useState("");
  const [editing, setEditing] = useState<User | "new" | null>(null);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);

  useEffect(() => {
    if (!allowed) return;
    const controller = new AbortController();
    ok(api.GET("/api/v1/users", { signal: controller.signal }))
      .then((found) => {
        setUsers(found);
        setError(null);
      })
      .catch((err: unknown) => {
        if (!controller.signal.aborted) setError(errorText(err, common.in(lang)));
      });
    return () => controller.abort();
  }, [allowed, tick, lang]);

  const shown = useMemo(() => sortUsers(users ?? []).filter((u) => matches(u, query)), [users, query]);

  function saved(user: User, created: boolean): void {
    setUsers((had) => [...(had ?? []).filter((u) => u.id !== user.id), user]);
    setEditing(null);
    toast(created ? t("users.created", { name: user.username }) : t("users.saved", { name: user.username }));
  }

  if (!allowed) return <p className="pad">{t("users.forbidden")}</p>;
  return (
    <section aria-labelledby="users-title" className="users-screen">
      <div className="toolbar">
        <h1 id="users-title" className="view-title">
          {t("users.title")}
        </h1>
        <input
          type="search"
          className="search"
          aria-label={t("users.search")}
          placeholder={t("users.search")}
          value={query}
          onChange={(e) => setQuery(e.currentTarget.value)}
        />
        <button type="button" className="primary" onClick={() => setEditing("new")}>
          {t("users.new")}
        </button>
      </div>
      <LoadStatus error={error} loaded={Boolean(users)} onRetry={reload} />
      {users ? (
        <p className="muted small" role="status">
          {shown.length ? t("users.count", { shown: shown.length, total: users.length }) : t("users.none")}
        </p>
      ) : null}
      {shown.length ? (
        <ul className="users" aria-label={t("users.list")}>
          {shown.map((user) => (
            <li key={user.id} className={user.active ? "user" : "user inactive"} data-username={user.username}>
              <div className="user-who" id={`user-${user.id}`}>
                <span className="user-name">{user.display_name}</span>{" "}
                <span className="user-login">{user.username}</span>
              </div>
              <div className="user-facts">
                <span className="user-role">{tc(`role.${user.role}` as CommonKey)}</span>
                <span className={user.active ? "user-state on" : "user-state off"}>
                  {user.active ? t("users.active") : t("users.inactive")}
                </span>
                {user.id === me?.id ? <span className="muted small">{t("users.you")}</span> : null}
              </div>
              <button type="button" aria-describedby={`user-${user.id}`} onClick={() => setEditing(user)}>
                {t("users.edit")}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {editing ? (
        <UserDialog
          user={editing === "new" ? null : editing}
          self={editing !== "new" && editing.id === me?.id}
          onClose={() => setEditing(null)}
          onSaved={saved}
        />
      ) : null}
    </section>
  );
}
