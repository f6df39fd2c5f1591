// Crews (director, manager, admin): every crew member with their week in a line, days off and
// absences counted, and their change in a dialog. No order is named here, so an admin (who
// sees none) keeps the crews' hours too; the booking calendar follows what is saved.
import { useCallback, useEffect, useState, type ReactElement } from "react";
import { api, ok } from "../../api/client";
import { errorText } from "../../app/errors";
import { useMay } from "../../app/roles";
import { common, type CommonKey } from "../../i18n/common";
import { useApp } from "../../store/app";
import { LoadStatus } from "../../ui/LoadStatus";
import { CrewDialog } from "./CrewDialog";
import { m } from "./messages";
import { summarize, WEEKDAYS, type Member, type Weekday } from "./model";
import "./crew.css";

export function CrewScreen(): ReactElement {
  const t = m.use();
  const tc = common.use();
  const lang = useApp((s) => s.lang);
  const toast = useApp((s) => s.toast);
  const allowed = useMay("crew.edit");
  const [members, setMembers] = useState<Member[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<Member | null>(null);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);

  useEffect(() => {
    if (!allowed) return;
    const controller = new AbortController();
    ok(api.GET("/api/v1/crew", { signal: controller.signal }))
      .then((found) => {
        setMembers(found);
        setError(null);
      })
      .catch((err: unknown) => {
        if (!controller.signal.aborted) setError(errorText(err, common.in(lang)));
      });
    return () => controller.abort();
  }, [allowed, tick, lang]);

  const names = Object.fromEntries(WEEKDAYS.map((d) => [d, t(`short.${d}`)])) as Record<Weekday, string>;
  const sorted = [...(members ?? [])].sort((a, b) => a.role.localeCompare(b.role) || a.display_name.localeCompare(b.display_name));

  function saved(member: Member): void {
    setMembers((had) => (had ?? []).map((x) => (x.id === member.id ? member : x)));
    setEditing(null);
    toast(t("crew.saved", { name: member.display_name }));
  }

  if (!allowed) return <p className="pad">{t("crew.forbidden")}</p>;
  return (
    <section aria-labelledby="crew-title" className="crew-screen">
      <div className="toolbar">
        <h1 id="crew-title" className="view-title">
          {t("crew.title")}
        </h1>
      </div>
      <LoadStatus error={error} loaded={Boolean(members)} onRetry={reload} />
      {members && !members.length ? <p className="muted">{t("crew.none")}</p> : null}
      {sorted.length ? (
        <ul className="crew-list" aria-label={t("crew.list")}>
          {sorted.map((x) => (
            <li key={x.id} className="crew-member" data-member-id={x.id} data-username={x.username}>
              <div className="crew-who" id={`crew-${x.id}`}>
                <span className="crew-name">{x.display_name}</span>{" "}
                <span className="crew-role">{tc(`role.${x.role}` as CommonKey)}</span>
              </div>
              <div className="crew-facts small">
                <span className="crew-hours">{summarize(x.working_hours, names, t("crew.no_work"))}</span>
                <span className="muted">{x.timezone}</span>
                {x.days_off?.length ? <span>{t("crew.days_off", { n: x.days_off.length })}</span> : null}
                {x.absences?.length ? <span>{t("crew.absences", { n: x.absences.length })}</span> : null}
              </div>
              <button type="button" aria-describedby={`crew-${x.id}`} onClick={() => setEditing(x)}>
                {t("crew.edit")}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {editing ? <CrewDialog member={editing} onClose={() => setEditing(null)} onSaved={saved} /> : null}
    </section>
  );
}
