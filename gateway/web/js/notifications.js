// The bell and the inbox: robots' reminders, mentions in chats, stage changes.
import { api, ApiError } from "./api.js";
import { h, mount, toast } from "./dom.js";
import { dateTime } from "./format.js";
import { currentLang, t } from "./i18n.js";
import { errorText } from "./errors.js";

/** Update the bell's badge; silent on failure (the bell is secondary to the work). */
export async function refreshBell() {
  const badge = document.getElementById("bell-count");
  const bell = document.getElementById("bell");
  if (!badge || !bell) return;
  try {
    const unread = await api("/notifications", { query: { unread: "true", lang: currentLang() } });
    const n = unread.length;
    badge.textContent = n > 99 ? "99+" : String(n);
    badge.hidden = n === 0;
    bell.setAttribute("aria-label", t("notifications.bell", { n }));
  } catch {
    badge.hidden = true;
  }
}

export function renderNotifications(root) {
  let all = false;
  const list = h("div", {}, h("p", { class: "muted" }, t("common.loading")));
  const toggle = h("button", { type: "button" }, t("notifications.show_all"));
  const readAll = h("button", { type: "button" }, t("notifications.read_all"));
  const refresh = () => load(list, all);
  toggle.addEventListener("click", () => {
    all = !all;
    toggle.textContent = all ? t("notifications.show_unread") : t("notifications.show_all");
    refresh();
  });
  readAll.addEventListener("click", async () => {
    readAll.disabled = true;
    for (const li of list.querySelectorAll("[data-unread]")) await markRead(li.dataset.id);
    readAll.disabled = false;
    refresh();
    refreshBell();
  });
  mount(root,
    h("div", { class: "toolbar" },
      h("h1", { class: "view-title" }, t("notifications.title")),
      h("div", { class: "row" }, toggle, readAll)),
    list);
  refresh();
  return { refresh };
}

async function load(list, all) {
  let items;
  try {
    items = await api("/notifications", { query: { unread: all ? "false" : "true", lang: currentLang() } });
  } catch (err) {
    const absent = err instanceof ApiError && err.status === 404;
    mount(list, h("p", { class: "muted pad" }, absent ? t("notifications.unavailable") : errorText(err)));
    return;
  }
  if (!items.length) {
    mount(list, h("p", { class: "muted pad" }, all ? t("notifications.none") : t("notifications.none_unread")));
    return;
  }
  mount(list, h("ul", { class: "inbox" }, items.map((n) => item(n, () => { load(list, all); refreshBell(); }))));
}

function item(n, changed) {
  const open = async (event) => {
    // Opening a notification reads it: one tap, not two, on a phone.
    if (!n.read) {
      event.preventDefault();
      await markRead(n.id);
      refreshBell();
      location.hash = `#/order/${n.order_id}`;
    }
  };
  return h("li", { class: n.read ? "read" : "unread", "data-id": n.id, "data-unread": n.read ? null : "1" },
    h("div", {}, n.order_id ? h("a", { href: `#/order/${n.order_id}`, onclick: open }, n.text) : n.text),
    h("div", { class: "row spread" },
      h("span", { class: "muted small" }, dateTime(n.created_at)),
      n.read ? null : h("button", {
        type: "button", class: "link",
        onclick: async () => { await markRead(n.id); changed(); },
      }, t("notifications.mark_read"))));
}

async function markRead(id) {
  try {
    await api(`/notifications/${id}/read`, { method: "POST" });
  } catch (err) {
    toast(errorText(err), "error");
  }
}
