// Reassign the order's manager (PUT /orders/{id}/manager). Who may be picked: directors and
// managers — listed from GET /users for an admin, otherwise the managers seen on the board,
// the order's current one and the caller (when they manage orders themselves).
import { useEffect, useMemo, useState, type ReactElement } from "react";
import { ApiError, api, ok, type Schemas } from "../../api/client";
import { errorText } from "../../app/errors";
import { may } from "../../app/roles";
import { common } from "../../i18n/common";
import { useApp } from "../../store/app";
import { Field } from "../../ui/Field";
import { managerChoices, rememberManagers, type Person } from "./knownManagers";
import { m } from "./messages";

type Props = {
  orderId: string;
  current: Schemas["PersonRef"] | null | undefined;
  /** The card's version as shown: a reassignment on a stale card is refused (409), not applied. */
  version: number;
  onAssigned: (card: Schemas["OrderCard"]) => void;
  onConflict: () => void;
};

const MANAGING_ROLES = new Set(["manager", "director"]);

export function ManagerPicker({ orderId, current, version, onAssigned, onConflict }: Props): ReactElement {
  const t = m.use();
  const tc = common.use();
  const me = useApp((s) => s.me);
  const toast = useApp((s) => s.toast);
  const [listed, setListed] = useState<Person[]>([]);
  const [picked, setPicked] = useState(current?.id ?? "");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => setPicked(current?.id ?? ""), [current?.id]);

  useEffect(() => {
    if (!may(me?.role, "users.admin")) return;
    const controller = new AbortController();
    ok(api.GET("/api/v1/users", { signal: controller.signal }))
      .then((users) => {
        const people = users
          .filter((u) => MANAGING_ROLES.has(u.role) && u.active !== false)
          .map((u) => ({ id: u.id, display_name: u.display_name ?? u.username }));
        rememberManagers(people);
        setListed(people);
      })
      .catch(() => undefined); // the known managers still serve
    return () => controller.abort();
  }, [me?.role]);

  const choices = useMemo(() => {
    const extra: Person[] = [...listed];
    if (me && MANAGING_ROLES.has(me.role)) extra.push({ id: me.id, display_name: me.display_name ?? me.username });
    if (current?.id) extra.push({ id: current.id, display_name: current.display_name ?? "" });
    return managerChoices(extra);
  }, [listed, me, current?.id, current?.display_name]);

  const nameOf = (id: string): string =>
    choices.find((p) => p.id === id)?.display_name || t("manager.unknown");

  async function assign(): Promise<void> {
    setError(null);
    if (!picked || picked === current?.id) {
      setError(t("manager.same"));
      return;
    }
    setBusy(true);
    try {
      const card = await ok(
        api.PUT("/api/v1/orders/{order_id}/manager", { params: { path: { order_id: orderId } }, body: { manager_id: picked, expected_version: version } }),
      );
      toast(t("manager.assigned", { name: nameOf(picked) }));
      onAssigned(card);
    } catch (err) {
      setError(errorText(err, tc));
      if (err instanceof ApiError && err.code === "version_conflict") onConflict();
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="editor-section" aria-labelledby={`manager-${orderId}`}>
      <h3 id={`manager-${orderId}`}>{t("manager.title")}</h3>
      <div className="manager-row">
        <Field label={t("manager.label")} error={error}>
          {(aria) => (
            <select {...aria} value={picked} onChange={(e) => setPicked(e.currentTarget.value)}>
              {current?.id ? null : <option value="">—</option>}
              {choices.map((person) => (
                <option key={person.id} value={person.id}>
                  {person.id === current?.id
                    ? t("manager.current", { name: person.display_name || t("manager.unknown") })
                    : person.display_name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <button type="button" onClick={() => void assign()} disabled={busy || !picked || picked === current?.id}>
          {t("manager.assign")}
        </button>
      </div>
    </section>
  );
}
