// Entry point: language, session, the header and a hash router over the views.
// Hash routes (#/board, #/order/<id>, #/tasks, #/notifications) need no server support and
// survive a reload, so a link to an order can be sent in a messenger.
import { token } from "./api.js";
import { loadMe, logout, renderLogin } from "./auth.js";
import { renderBoard } from "./board.js";
import { h, mount } from "./dom.js";
import { applyI18n, currentLang, loadLang, preferredLang, t } from "./i18n.js";
import { refreshBell, renderNotifications } from "./notifications.js";
import { renderOrder } from "./order.js";
import { startRealtime, stopRealtime } from "./realtime.js";
import { roleLabel, session } from "./state.js";
import { renderTasks } from "./tasks.js";

const main = document.getElementById("main");
let view = null; // the current view's {refresh}
let live = false; // realtime started for this session

async function boot() {
  await loadLang(preferredLang());
  applyI18n();
  wireChrome();
  if (token.get()) {
    try {
      await loadMe();
    } catch {
      token.clear();
    }
  }
  route();
}

function wireChrome() {
  window.addEventListener("hashchange", route);
  window.addEventListener("auth:expired", () => {
    signedOut();
    route();
  });
  document.getElementById("logout").addEventListener("click", () => {
    logout();
    signedOut();
    location.hash = "#/login";
  });
  for (const button of document.querySelectorAll("[data-lang-toggle]")) {
    button.addEventListener("click", async () => {
      await loadLang(currentLang() === "ru" ? "en" : "ru");
      applyI18n();
      updateHeader();
      route(); // re-render the view in the new language
    });
  }
  const offline = document.getElementById("offline");
  const setOnline = () => { offline.hidden = navigator.onLine; };
  window.addEventListener("online", setOnline);
  window.addEventListener("offline", setOnline);
  setOnline();
}

function signedOut() {
  stopRealtime();
  live = false;
  session.user = null;
  document.getElementById("topbar").hidden = true;
}

function updateHeader() {
  const user = session.user;
  const bar = document.getElementById("topbar");
  bar.hidden = !user;
  if (!user) return;
  document.getElementById("who-name").textContent = user.display_name || user.username;
  document.getElementById("who-role").textContent = roleLabel(user.role);
  const help = document.getElementById("help-link");
  help.href = `/guides/${encodeURIComponent(user.role)}?lang=${currentLang()}`;
  document.title = t("app.title");
}

function route() {
  if (!session.user) {
    document.getElementById("topbar").hidden = true;
    renderLogin(main, () => {
      if (location.hash === "#/login" || !location.hash) location.hash = "#/board";
      else route();
    });
    return;
  }
  updateHeader();
  startRealtimeOnce();
  const [, name, arg] = (location.hash || "#/board").split("/");
  for (const link of document.querySelectorAll(".nav a")) {
    link.toggleAttribute("aria-current", link.getAttribute("href") === `#/${name}`);
  }
  switch (name) {
    case "order":
      view = renderOrder(main, decodeURIComponent(arg || ""));
      break;
    case "tasks":
      view = renderTasks(main);
      break;
    case "notifications":
      view = renderNotifications(main);
      break;
    case "board":
      view = renderBoard(main);
      break;
    default:
      location.replace("#/board");
      return;
  }
  main.focus({ preventScroll: true });
  window.scrollTo(0, 0);
}

function startRealtimeOnce() {
  if (live) return;
  live = true;
  startRealtime(onLiveChange);
  refreshBell();
}

// Any server-side change (or a poll tick): refresh what is on screen and the bell. Bursts of
// events (a robot moving an order writes several) are gathered into one refresh, which says
// which orders changed so an open order card reloads only for its own changes.
let pending = 0;
let changed = { all: false, orders: new Set() };
function onLiveChange(event) {
  const orderId = event && event.data && event.data.order_id;
  if (orderId) changed.orders.add(String(orderId));
  else if (event.type !== "ready") changed.all = true; // poll tick, reconnect, tab resumed
  clearTimeout(pending);
  pending = setTimeout(() => {
    const batch = changed;
    changed = { all: false, orders: new Set() };
    if (view && view.refresh && (batch.all || batch.orders.size)) view.refresh(batch);
    refreshBell();
  }, 300);
}

boot().catch((err) => {
  // The dictionary itself may be what failed to load, so this one message is bilingual.
  mount(main, h("p", { class: "error pad" }, `Не удалось запустить / Failed to start: ${err.message}`));
});
