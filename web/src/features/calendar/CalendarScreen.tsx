// The crew calendar page (#/calendar, #/calendar/<role>): one crew at a time, chosen by the
// links above it; visits can be moved, handed over or cancelled here, new ones are booked from
// the order's card (they need an order). For the roles that book visits.
import type { ReactElement } from "react";
import { Link, Redirect, useParams } from "wouter";
import { useMay } from "../../app/roles";
import { common, type CommonKey } from "../../i18n/common";
import { CrewCalendar } from "./CrewCalendar";
import { m } from "./messages";
import { CREW_ROLES, isCrewRole } from "./model";

export function CalendarScreen(): ReactElement {
  const t = m.use();
  const tc = common.use();
  const allowed = useMay("visits.book");
  const { role } = useParams<{ role?: string }>();
  if (!allowed) return <p className="pad">{tc("error.forbidden")}</p>;
  if (!isCrewRole(role)) return <Redirect to={`/calendar/${CREW_ROLES[0]}`} replace />;
  return (
    <div className="oms-cal-screen">
      <div className="toolbar">
        <h1 className="view-title">{t("screen.title")}</h1>
        <nav className="oms-roles" aria-label={t("screen.roles")}>
          {CREW_ROLES.map((r) => (
            <Link key={r} href={`/calendar/${r}`} aria-current={r === role ? "page" : undefined}>
              {tc(`role.${r}` as CommonKey)}
            </Link>
          ))}
        </nav>
      </div>
      <p className="small muted">{t("screen.hint")}</p>
      <CrewCalendar key={role} role={role} editable={allowed} />
    </div>
  );
}
