// The order card: who the customer is, where the order stands, what blocks it from moving on,
// the moves the caller may make, deal terms (commercial roles only), files, history and chat.
import { api, ApiError } from "./api.js";
import { h, mount, toast } from "./dom.js";
import { dateTime, since } from "./format.js";
import { currentLang, t } from "./i18n.js";
import { mediaSection, uploadsInFlight } from "./media.js";
import { chatSection } from "./chat.js";
import { errorText } from "./errors.js";
import {
  isCommercial, kindLabel, mayMarkProduction, rememberStages, stageTitle, stages,
} from "./state.js";

export function renderOrder(root, id) {
  const view = { root, id, card: null, chat: null, history: null };
  mount(root, h("p", { class: "muted pad" }, t("common.loading")));
  load(view);
  return {
    refresh: (batch) => {
      if (!batch.all && !batch.orders.has(String(id))) return; // another order changed
      // Re-rendering would wipe what the user is typing or an upload's progress lines:
      // then refresh only the chat, the rest catches up on the next change.
      const el = document.activeElement;
      const typing = el && root.contains(el) && el.matches("input, textarea, select");
      if (typing || uploadsInFlight() > 0) {
        if (view.chat) view.chat.refresh();
      } else load(view);
    },
  };
}

async function load(view) {
  try {
    if (!stages.size) {
      // Stage titles and order come from the board (the pipeline is data on the server).
      const board = await api("/board", { query: { limit: 1, lang: currentLang() } });
      rememberStages(board.columns);
    }
    const card = await api(`/orders/${view.id}`, { query: { lang: currentLang() } });
    render(view, card);
  } catch (err) {
    mount(view.root,
      h("p", {}, h("a", { href: "#/board" }, "← ", t("order.back_to_board"))),
      h("p", { class: "error pad" }, errorText(err)));
  }
}

function render(view, card) {
  view.card = card;
  const banner = h("div", { class: "banner", role: "alert", hidden: true });
  const ctx = { view, card, banner, reload: () => load(view) };
  view.chat = chatSection(card.id);
  mount(view.root,
    h("p", { class: "crumbs" }, h("a", { href: "#/board" }, "← ", t("order.back_to_board"))),
    h("div", { class: "order-head" },
      h("h1", { class: "view-title" }, t("order.number", { n: card.number }), " · ", card.title),
      h("span", { class: `stage-badge stage-${card.stage}` }, card.stage_title || stageTitle(card.stage)),
      h("span", { class: "muted" }, t("order.in_stage", { time: since(card.stage_entered_at) }))),
    banner,
    h("div", { class: "order-grid" },
      h("div", { class: "col" },
        customerSection(card),
        gateSection(ctx),
        mediaSection(card, ctx.reload),
        workSection(card),
        card.deal || isCommercial() ? dealSection(ctx) : null),
      h("div", { class: "col" },
        view.chat.element,
        historySection(card.id))));
}

function customerSection(card) {
  const c = card.customer || {};
  return h("section", { class: "panel", "aria-labelledby": "cust-h" },
    h("h2", { id: "cust-h" }, t("order.customer")),
    h("dl", { class: "facts" },
      h("dt", {}, t("order.customer_name")), h("dd", {}, c.name || "—"),
      h("dt", {}, t("order.phone")),
      h("dd", {}, c.phone ? h("a", { href: `tel:${c.phone}` }, c.phone) : "—"),
      h("dt", {}, t("order.address")), h("dd", {}, c.address_text || "—"),
      card.description ? [h("dt", {}, t("order.description")), h("dd", {}, card.description)] : null,
      card.manager && card.manager.display_name
        ? [h("dt", {}, t("order.manager")), h("dd", {}, card.manager.display_name)] : null));
}

/** What blocks leaving the stage, and the moves: forward (through the gate), back, cancel. */
function gateSection(ctx) {
  const { card } = ctx;
  const unmet = (card.gate && card.gate.unmet) || [];
  const terminal = !(card.next_stages || []).length && unmet.length === 0;
  const body = [];
  if (terminal) body.push(h("p", { class: "muted" }, t("gate.terminal")));
  else if (unmet.length) {
    body.push(h("p", {}, t("gate.blocked")), h("ul", { class: "unmet" }, unmet.map((u) => h("li", {}, u.message || u.code))));
  } else if (isCommercial()) body.push(h("p", { class: "ok" }, "✅ ", t("gate.clear")));
  // Others are shown only the conditions they can act on (the rest are hidden from them), so
  // an empty list says nothing about whether the order may move on.
  else body.push(h("p", { class: "muted" }, t("gate.nothing_for_you")));

  if (isCommercial() && (card.next_stages || []).length) {
    body.push(h("div", { class: "row wrap" },
      card.next_stages.map((to) => h("button", {
        type: "button", class: unmet.length ? "" : "primary",
        onclick: (e) => move(ctx, to, null, e.currentTarget),
      }, "→ ", stageTitle(to)))));
  }
  if (isCommercial() && !terminal) body.push(backAndCancel(ctx));
  if (mayMarkProduction() && card.stage === "production") {
    body.push(card.production_finished
      ? h("p", { class: "ok" }, "✅ ", t("production.done"))
      : h("button", { type: "button", class: "primary", onclick: (e) => productionFinished(ctx, e.currentTarget) }, t("production.finish")));
  }
  return h("section", { class: "panel", "aria-labelledby": "gate-h" },
    h("h2", { id: "gate-h" }, t("gate.title", { stage: card.stage_title || stageTitle(card.stage) })), body);
}

function backAndCancel(ctx) {
  const { card } = ctx;
  const order = [...stages.keys()];
  const here = order.indexOf(card.stage);
  const earlier = here > 0 ? order.slice(0, here) : [];
  const select = h("select", { id: "back-to", "aria-label": t("move.back_to") },
    earlier.reverse().map((key) => h("option", { value: key }, stageTitle(key))));
  return h("details", { class: "more-actions" },
    h("summary", {}, t("move.more")),
    earlier.length ? h("div", { class: "row wrap" },
      h("label", { for: "back-to" }, t("move.back_to")), select,
      h("button", { type: "button", onclick: (e) => withReason(ctx, select.value, t("move.back_reason"), e.currentTarget) }, t("move.back"))) : null,
    h("button", { type: "button", class: "danger", onclick: (e) => withReason(ctx, "cancelled", t("move.cancel_reason"), e.currentTarget) }, t("move.cancel")));
}

function withReason(ctx, to, question, button) {
  const reason = window.prompt(question);
  if (reason === null) return;
  if (!reason.trim()) {
    toast(t("error.reason_required"), "error");
    return;
  }
  move(ctx, to, reason.trim(), button);
}

async function move(ctx, to, reason, button) {
  const { card, banner } = ctx;
  button.disabled = true;
  banner.hidden = true;
  try {
    const body = { to, expected_version: card.version };
    if (reason) body.reason = reason;
    await api(`/orders/${card.id}/transitions`, { method: "POST", json: body });
    toast(t("move.done", { stage: stageTitle(to) }), "ok");
    // The reply is the new card, but re-read it with ?lang= so titles match the UI language.
    ctx.reload();
  } catch (err) {
    showMoveError(ctx, err);
  } finally {
    button.disabled = false;
  }
}

// A refused move lists conditions with `message` (Russian) and `message_en`.
const unmetText = (u) => (currentLang() === "en" && u.message_en) || u.message || u.code;

function showMoveError(ctx, err) {
  const { banner } = ctx;
  if (err instanceof ApiError && err.code === "gate_unmet") {
    mount(banner, h("strong", {}, t("gate.refused")),
      h("ul", {}, (err.body.unmet || []).map((u) => h("li", {}, unmetText(u)))));
  } else if (err instanceof ApiError && err.code === "version_conflict") {
    mount(banner, h("strong", {}, t("error.version_conflict")), " ",
      h("button", { type: "button", onclick: ctx.reload }, t("common.reload")));
  } else {
    mount(banner, errorText(err));
  }
  banner.hidden = false;
  banner.scrollIntoView({ behavior: "smooth", block: "center" });
}

async function productionFinished(ctx, button) {
  button.disabled = true;
  try {
    await api(`/orders/${ctx.card.id}/production/finished`, { method: "POST", json: {} });
    toast(t("production.done"), "ok");
    ctx.reload();
  } catch (err) {
    showMoveError(ctx, err);
    button.disabled = false;
  }
}

function dealSection(ctx) {
  const { card } = ctx;
  const deal = card.deal || {};
  const field = (name, label, multiline = false) => {
    const id = `deal-${name}`;
    const input = multiline
      ? h("textarea", { id, name, rows: 2 }, deal[name] || "")
      : h("input", { id, name, value: deal[name] || "", inputmode: name === "amount" ? "decimal" : null, required: name === "amount" });
    return h("div", { class: "field" }, h("label", { for: id }, label), input);
  };
  const form = h("form", { class: "deal" },
    field("amount", t("deal.amount")),
    field("decor", t("deal.decor"), true),
    field("finishing", t("deal.finishing"), true),
    field("extra_work", t("deal.extra_work"), true),
    field("payment_terms", t("deal.payment_terms"), true),
    h("button", { type: "submit", class: "primary" }, t("deal.save")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    // Money is a decimal string; accept "150 000,50" as typed on a Russian keyboard.
    data.amount = String(data.amount).replace(/\s/g, "").replace(",", ".");
    if (!/^\d+(\.\d{1,2})?$/.test(data.amount)) {
      toast(t("deal.amount_invalid"), "error");
      return;
    }
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    try {
      await api(`/orders/${card.id}/deal`, { method: "PUT", json: data });
      toast(t("deal.saved"), "ok");
      ctx.reload();
    } catch (err) {
      toast(errorText(err), "error");
    } finally {
      submit.disabled = false;
    }
  });
  return h("section", { class: "panel", "aria-labelledby": "deal-h" },
    h("h2", { id: "deal-h" }, t("deal.title")), form);
}

/** Visits and finished tasks (measurements are what the manager needs to see here). */
function workSection(card) {
  const visits = card.visits || [];
  const tasks = (card.tasks || []).filter((task) => task.results);
  if (!visits.length && !tasks.length) return null;
  return h("section", { class: "panel", "aria-labelledby": "work-h" },
    h("h2", { id: "work-h" }, t("order.visits")),
    visits.length ? h("ul", { class: "plain" }, visits.map((v) => h("li", {},
      h("strong", {}, kindLabel(v.kind)), " · ", dateTime(v.starts_at),
      v.status ? h("span", { class: "muted" }, ` · ${visitStatus(v.status)}`) : null))) : null,
    tasks.map((task) => resultsView(task)));
}

function visitStatus(status) {
  if (status === "booked") return t("visit.booked");
  if (status === "done") return t("visit.done");
  if (status === "cancelled") return t("visit.cancelled");
  return status;
}

function resultsView(task) {
  const rooms = (task.results && task.results.rooms) || [];
  return h("div", { class: "results" },
    h("h3", {}, t("order.results", { kind: kindLabel(task.kind) })),
    rooms.length ? h("table", {},
      h("thead", {}, h("tr", {},
        h("th", { scope: "col" }, t("rooms.name")), h("th", { scope: "col" }, t("rooms.width")),
        h("th", { scope: "col" }, t("rooms.height")), h("th", { scope: "col" }, t("rooms.depth")),
        h("th", { scope: "col" }, t("rooms.notes")))),
      h("tbody", {}, rooms.map((r) => h("tr", {},
        h("td", {}, r.name), h("td", {}, r.width_mm), h("td", {}, r.height_mm),
        h("td", {}, r.depth_mm ?? ""), h("td", {}, r.notes || ""))))) : null,
    task.results.notes ? h("p", {}, task.results.notes) : null);
}

function historySection(id) {
  const list = h("ol", { class: "history" }, h("li", { class: "muted" }, t("common.loading")));
  const section = h("section", { class: "panel", "aria-labelledby": "hist-h" },
    h("details", { open: window.innerWidth > 900 },
      h("summary", {}, h("h2", { id: "hist-h", class: "inline" }, t("history.title"))),
      list));
  api(`/orders/${id}/history`, { query: { lang: currentLang() } })
    .then((entries) => {
      // Newest first: what just happened is what people look for.
      mount(list, entries.length ? entries.slice().reverse().map((e) => h("li", {},
        h("div", {}, e.summary || e.type),
        h("div", { class: "muted small" }, dateTime(e.at), " · ", (e.actor && (e.actor.name || e.actor.username)) || t("history.system")))) : h("li", { class: "muted" }, t("history.empty")));
    })
    .catch((err) => mount(list, h("li", { class: "error" }, errorText(err))));
  return section;
}
