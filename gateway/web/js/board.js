// The kanban board: every stage a column in pipeline order, with its total count and its
// most recently moved cards. Field roles get only their orders (the API filters).
import { api } from "./api.js";
import { debounce, h, mount } from "./dom.js";
import { since } from "./format.js";
import { currentLang, t } from "./i18n.js";
import { rememberStages } from "./state.js";
import { showError } from "./errors.js";

const LIMIT = 100;
let query = "";

export function renderBoard(root) {
  const search = h("input", {
    type: "search", id: "board-search", value: query, autocomplete: "off",
    placeholder: t("board.search_placeholder"), "aria-label": t("board.search_label"),
  });
  const total = h("span", { class: "muted", "aria-live": "polite" });
  const board = h("div", { class: "board", role: "list", "aria-label": t("board.title") });
  const refresh = () => load(board, total);
  search.addEventListener("input", debounce(() => {
    query = search.value.trim();
    refresh();
  }, 300));
  mount(
    root,
    h("div", { class: "toolbar" },
      h("h1", { class: "view-title" }, t("board.title")),
      h("div", { class: "search" }, search),
      total),
    board,
  );
  board.append(h("p", { class: "muted pad" }, t("common.loading")));
  refresh();
  return { refresh };
}

async function load(board, total) {
  let data;
  try {
    data = await api("/board", { query: { q: query, limit: LIMIT, lang: currentLang() } });
  } catch (err) {
    if (!board.querySelector(".column")) mount(board, h("p", { class: "error pad" }, showError(err)));
    else showError(err, true);
    return;
  }
  rememberStages(data.columns);
  const sum = data.columns.reduce((n, c) => n + c.count, 0);
  total.textContent = t("board.total", { n: sum });
  // Keep where the user had scrolled to: the board refreshes under their fingers.
  const left = board.scrollLeft;
  const tops = new Map([...board.querySelectorAll(".column")].map((c) => [c.dataset.stage, c.querySelector(".cards").scrollTop]));
  mount(board, data.columns.map(column));
  board.scrollLeft = left;
  for (const col of board.querySelectorAll(".column")) {
    col.querySelector(".cards").scrollTop = tops.get(col.dataset.stage) || 0;
  }
}

function column(col) {
  const more = col.count - col.cards.length;
  return h("section", { class: `column stage-${col.stage}`, "data-stage": col.stage, role: "listitem", "aria-label": `${col.title}: ${col.count}` },
    h("header", { class: "column-head" },
      h("h2", {}, col.title),
      h("span", { class: "count", title: t("board.count_title") }, col.count)),
    h("div", { class: "cards" },
      col.cards.length ? col.cards.map(card) : h("p", { class: "muted empty" }, t("board.empty")),
      more > 0 ? h("p", { class: "muted more" }, t("board.more", { n: more })) : null));
}

function card(c) {
  const customer = c.customer || {};
  const manager = c.manager && typeof c.manager === "object" ? c.manager.display_name : c.manager;
  return h("a", { class: "card", href: `#/order/${encodeURIComponent(c.id)}` },
    h("div", { class: "card-top" },
      h("span", { class: "number" }, t("order.number", { n: c.number })),
      h("span", { class: "age", title: t("board.in_stage") }, "⏱ ", since(c.stage_entered_at))),
    h("div", { class: "card-title" }, c.title),
    customer.name ? h("div", { class: "card-line" }, customer.name) : null,
    customer.address_text ? h("div", { class: "card-line muted" }, customer.address_text) : null,
    manager ? h("div", { class: "card-line muted small" }, t("board.manager", { name: manager })) : null);
}
