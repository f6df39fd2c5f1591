// The header: brand, the screens this role has, the bell with the unread count, who is
// signed in, the language switch and sign-out. The links wrap rather than scroll out of sight;
// an office role's settings screens (users, crews' hours, robots, pipeline) fold into one
// «Настройки» menu so a director's header stays one line at desk width.
import { useEffect, useRef, type ReactElement, type ReactNode } from "react";
import { Link, useLocation } from "wouter";
import { session } from "../api/session";
import { common, type CommonKey } from "../i18n/common";
import { useApp } from "../store/app";
import { live } from "../realtime/stream";
import { useUnreadCount } from "../features/notifications/unread";
import { homePath, may } from "./roles";

type NavItem = { href: string; label: CommonKey; show: boolean };

export function TopBar(): ReactElement {
  const t = common.use();
  const me = useApp((s) => s.me);
  const lang = useApp((s) => s.lang);
  const unread = useApp((s) => s.unread);
  useUnreadCount(); // keeps `unread` current from the server and the live stream
  const setLang = useApp((s) => s.setLang);
  const signedOut = useApp((s) => s.signedOut);
  const [location] = useLocation();
  const role = me?.role;
  // This device only, or every device of the user (a lost phone, a shared PC left signed in).
  async function signOut(everywhere: boolean): Promise<void> {
    live.stop();
    await session.logout(everywhere);
    signedOut();
  }
  const items: NavItem[] = [
    // The director's control first: the reports are what the director comes for.
    { href: "/dashboard", label: "nav.dashboard", show: may(role, "reports.read") },
    { href: "/board", label: "nav.board", show: may(role, "orders.see") },
    { href: "/tasks", label: "nav.tasks", show: may(role, "orders.see") },
    // The office's view of everyone's tasks: for those who make tasks (managers, directors).
    { href: "/team-tasks", label: "nav.team_tasks", show: may(role, "tasks.create") },
    { href: "/calendar", label: "nav.calendar", show: may(role, "visits.book") },
    // The customer directory lists every order of a number: for those who see every order.
    // Last of the screens, so on a phone the settings menu after it still opens in sight.
    { href: "/customers", label: "nav.customers", show: may(role, "orders.see_all") },
  ];
  const settings: NavItem[] = [
    { href: "/users", label: "nav.users", show: may(role, "users.admin") },
    // What the notification channels could not deliver (parked), for the admin to act on.
    { href: "/deliveries", label: "nav.deliveries", show: may(role, "users.admin") },
    { href: "/crew", label: "nav.crew", show: may(role, "crew.edit") },
    { href: "/rules", label: "nav.rules", show: may(role, "rules.edit") },
    { href: "/pipeline", label: "nav.pipeline", show: may(role, "pipeline.edit") },
    // Bringing the company's orders over from Bitrix24 (issue 20): the admin's, once or rarely.
    { href: "/imports", label: "nav.imports", show: may(role, "imports.run") },
  ].filter((item) => item.show) as NavItem[];
  // Admin's screens are all settings: they stay in line. So does a single one (a manager's hours).
  const folded = may(role, "orders.see") && settings.length > 1;
  const link = (item: NavItem): ReactElement => (
    <Link key={item.href} href={item.href} aria-current={location.startsWith(item.href) ? "page" : undefined}>
      {t(item.label)}
    </Link>
  );
  return (
    <header className="topbar">
      <Link href={homePath(role)} className="brand">
        {t("app.brand")}
      </Link>
      <nav className="nav" aria-label={t("nav.label")}>
        {items.filter((item) => item.show).map(link)}
        {folded ? (
          <HeaderMenu label={t("nav.settings")} current={settings.some((i) => location.startsWith(i.href))} location={location}>
            {settings.map(link)}
          </HeaderMenu>
        ) : (
          settings.map(link)
        )}
        <Link
          href="/notifications"
          className="bell"
          aria-current={location.startsWith("/notifications") ? "page" : undefined}
        >
          <svg className="icon" aria-hidden="true" viewBox="0 0 24 24" width="22" height="22">
            <path
              fill="currentColor"
              d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1Z"
            />
          </svg>
          {/* The name is the visible text ("Уведомления: 3"), so voice control and axe agree. */}
          <span className="visually-hidden">{t("nav.notifications")}</span>
          {unread ? (
            <span className="badge">
              <span className="visually-hidden">: </span>
              {unread > 99 ? "99+" : unread}
            </span>
          ) : null}
        </Link>
        <a href={`/guides/${role ?? "manager"}${lang === "en" ? "?lang=en" : ""}`} target="_blank" rel="noopener">
          {t("nav.help")}
        </a>
      </nav>
      <div className="who">
        {/* Who is signed in opens the rarer account action: ending every session of theirs. */}
        <HeaderMenu
          className="user-menu"
          label={
            <>
              <span>{me?.display_name}</span> <span className="role">{role ? t(`role.${role}` as CommonKey) : ""}</span>
            </>
          }
          location={location}
        >
          <button type="button" className="link" onClick={() => void signOut(true)}>
            {t("auth.logout_everywhere")}
          </button>
        </HeaderMenu>
        <button type="button" className="link lang-toggle" onClick={() => setLang(lang === "ru" ? "en" : "ru")}>
          {t("app.switch_lang")}
        </button>
        <button type="button" className="link" onClick={() => void signOut(false)}>
          {t("auth.logout")}
        </button>
      </div>
    </header>
  );
}

/** A disclosure of links or buttons (`<details>`: keyboard and screen readers for free),
 * closed again once a link is followed or the user clicks elsewhere. */
function HeaderMenu(props: {
  label: ReactNode;
  location: string;
  children: ReactElement | ReactElement[];
  current?: boolean;
  className?: string;
}): ReactElement {
  const ref = useRef<HTMLDetailsElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.open = false;
  }, [props.location]);
  useEffect(() => {
    function away(event: MouseEvent): void {
      const menu = ref.current;
      if (menu?.open && !menu.contains(event.target as Node)) menu.open = false;
    }
    document.addEventListener("click", away);
    return () => document.removeEventListener("click", away);
  }, []);
  return (
    <details ref={ref} className={`nav-menu${props.current ? " current" : ""}${props.className ? ` ${props.className}` : ""}`}>
      <summary>{props.label}</summary>
      <div className="nav-menu-list">{props.children}</div>
    </details>
  );
}
