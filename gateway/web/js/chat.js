// The order's chat. `@username` mentions notify that colleague (the server parses them);
// here we only highlight them so the writer sees who will be pinged.
import { api } from "./api.js";
import { h, mount, toast } from "./dom.js";
import { dateTime } from "./format.js";
import { t } from "./i18n.js";
import { roleLabel, session } from "./state.js";
import { errorText } from "./errors.js";

export function chatSection(orderId) {
  const list = h("ol", { class: "chat", "aria-live": "polite" }, h("li", { class: "muted" }, t("common.loading")));
  const text = h("textarea", { id: "chat-text", rows: 2, maxlength: 4000, placeholder: t("chat.placeholder") });
  const send = h("button", { type: "submit", class: "primary" }, t("chat.send"));
  const form = h("form", { class: "chat-form" },
    h("label", { for: "chat-text", class: "visually-hidden" }, t("chat.label")), text, send);
  const refresh = () => load(orderId, list);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!text.value.trim()) return;
    send.disabled = true;
    try {
      const posted = await api(`/orders/${orderId}/comments`, { method: "POST", json: { text: text.value.trim() } });
      text.value = "";
      const missed = posted.not_notified || [];
      if (missed.length) {
        const names = missed.map((m) => `@${m.username} (${reasonText(m.reason)})`).join(", ");
        toast(t("chat.not_notified", { names }), "error");
      }
      await refresh();
    } catch (err) {
      toast(errorText(err), "error");
    } finally {
      send.disabled = false;
    }
  });
  // Ctrl/Cmd+Enter sends on a keyboard; on phones the button does.
  text.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) form.requestSubmit();
  });
  refresh();
  const element = h("section", { class: "panel", "aria-labelledby": "chat-h" },
    h("h2", { id: "chat-h" }, t("chat.title")), list, form,
    h("p", { class: "muted small" }, t("chat.hint")));
  return { element, refresh };
}

async function load(orderId, list) {
  try {
    const comments = await api(`/orders/${orderId}/comments`);
    const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 8;
    mount(list, comments.length ? comments.map(message) : h("li", { class: "muted" }, t("chat.empty")));
    if (atBottom) list.scrollTop = list.scrollHeight;
  } catch (err) {
    mount(list, h("li", { class: "error" }, errorText(err)));
  }
}

function message(c) {
  const author = c.author || {};
  const mine = session.user && author.id === session.user.id;
  return h("li", { class: mine ? "mine" : "" },
    h("div", { class: "muted small" },
      h("strong", {}, author.display_name || author.username || "?"), " · ",
      roleLabel(author.role), " · ", dateTime(c.at)),
    h("div", { class: "text" }, withMentions(c.text || "")));
}

function withMentions(text) {
  return text.split(/(@[A-Za-z0-9_.-]+)/g).map((part) =>
    part.startsWith("@") ? h("span", { class: "mention" }, part) : part);
}

// Literal keys (never built from parts) so the unit test can check every key exists.
const REASONS = {
  no_access: () => t("chat.reason.no_access"),
  unknown_user: () => t("chat.reason.unknown_user"),
  inactive: () => t("chat.reason.inactive"),
  access_unavailable: () => t("chat.reason.access_unavailable"),
  too_many_mentions: () => t("chat.reason.too_many_mentions"),
};
const reasonText = (reason) => (REASONS[reason] ? REASONS[reason]() : reason);
