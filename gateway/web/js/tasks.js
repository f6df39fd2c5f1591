// "My tasks" for field staff: today's visits and what to do, completed from the phone.
// A measurement task carries structured results (rooms with sizes in millimetres).
import { api, ApiError } from "./api.js";
import { h, mount, toast } from "./dom.js";
import { dateTime } from "./format.js";
import { t } from "./i18n.js";
import { kindLabel } from "./state.js";
import { errorText } from "./errors.js";

export function renderTasks(root) {
  const list = h("div", { class: "tasks" }, h("p", { class: "muted" }, t("common.loading")));
  const showDone = h("input", { type: "checkbox", id: "tasks-done" });
  const refresh = () => load(list, showDone.checked);
  showDone.addEventListener("change", refresh);
  mount(root,
    h("div", { class: "toolbar" },
      h("h1", { class: "view-title" }, t("tasks.title")),
      h("label", { for: "tasks-done", class: "check" }, showDone, t("tasks.show_done"))),
    list);
  refresh();
  return {
    // Don't wipe a half-filled measurement form because of a background refresh.
    refresh: () => { if (!list.querySelector("form")) refresh(); },
  };
}

async function load(list, withDone) {
  let tasks;
  try {
    tasks = await api("/tasks", { query: { mine: "true", status: withDone ? null : "open" } });
  } catch (err) {
    const absent = err instanceof ApiError && (err.status === 404 || err.status === 405);
    mount(list, h("p", { class: absent ? "muted pad" : "error pad" }, absent ? t("tasks.unavailable") : errorText(err)));
    return;
  }
  if (!tasks.length) {
    mount(list, h("p", { class: "muted pad" }, t("tasks.none")));
    return;
  }
  // Soonest first: what the worker has to do next is on top.
  tasks.sort((a, b) => when(a).localeCompare(when(b)));
  mount(list, tasks.map((task) => taskItem(task, () => load(list, withDone))));
}

// A visit's task is "when the visit is"; other tasks may carry a due date. Times are compared
// as instants (ISO strings with different offsets do not sort as text).
const whenIso = (task) => task.visit_starts_at || task.due_at || "";
const when = (task) => (whenIso(task) ? new Date(whenIso(task)).toISOString() : "9");

function taskItem(task, reload) {
  const open = task.status === "open";
  const slot = h("div", {});
  const item = h("article", { class: `panel task ${task.status}` },
    h("div", { class: "row spread" },
      h("strong", {}, task.title || kindLabel(task.kind)),
      h("span", { class: `pill ${task.status}` }, statusLabel(task.status))),
    h("div", { class: "muted small" },
      kindLabel(task.kind),
      task.visit_starts_at ? ` · ${t("tasks.visit_at", { at: dateTime(task.visit_starts_at) })}` : "",
      !task.visit_starts_at && task.due_at ? ` · ${t("tasks.due", { at: dateTime(task.due_at) })}` : ""),
    h("div", { class: "row wrap" },
      task.order_id ? h("a", { class: "button", href: `#/order/${task.order_id}` }, t("tasks.open_order")) : null,
      open ? h("button", { type: "button", class: "primary", onclick: () => mount(slot, completeForm(task, reload)) }, t("tasks.complete")) : null),
    slot);
  return item;
}

function statusLabel(status) {
  if (status === "open") return t("tasks.status_open");
  if (status === "done") return t("tasks.status_done");
  if (status === "cancelled") return t("tasks.status_cancelled");
  return status;
}

function completeForm(task, reload) {
  const measuring = task.kind === "measurement";
  const rooms = h("div", { class: "rooms" });
  const addRoom = () => rooms.append(roomRow(rooms.children.length + 1));
  if (measuring) addRoom();
  const note = h("textarea", { id: `note-${task.id}`, rows: 3 });
  const submit = h("button", { type: "submit", class: "primary" }, t("tasks.submit"));
  const form = h("form", { class: "complete" },
    measuring ? [
      h("h3", {}, t("rooms.title")),
      h("p", { class: "muted small" }, t("rooms.hint")),
      rooms,
      h("button", { type: "button", onclick: addRoom }, "+ ", t("rooms.add")),
    ] : null,
    ["installation", "rework"].includes(task.kind) ? h("p", { class: "hint" }, t("tasks.photos_hint")) : null,
    h("label", { for: `note-${task.id}` }, t("tasks.note")), note,
    h("div", { class: "row" }, submit,
      h("button", { type: "button", onclick: () => form.remove() }, t("common.cancel"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { note: note.value.trim() || undefined };
    if (measuring) {
      const parsed = readRooms(rooms);
      if (parsed.error) { toast(parsed.error, "error"); return; }
      body.results = { rooms: parsed.rooms, notes: note.value.trim() || undefined };
    }
    submit.disabled = true;
    try {
      await api(`/tasks/${task.id}/complete`, { method: "POST", json: body });
      toast(t("tasks.completed"), "ok");
      reload();
    } catch (err) {
      toast(errorText(err), "error");
      submit.disabled = false;
    }
  });
  return form;
}

function roomRow(n) {
  const id = (name) => `room-${n}-${name}-${Math.random().toString(36).slice(2, 7)}`;
  const input = (name, label, attrs) => {
    const inputId = id(name);
    return h("div", { class: `field ${name}` }, h("label", { for: inputId }, label),
      h("input", { id: inputId, name, ...attrs }));
  };
  // inputmode=numeric brings up the digit keypad on phones; sizes are whole millimetres.
  const mm = { inputmode: "numeric", pattern: "[0-9]*", autocomplete: "off" };
  const row = h("fieldset", { class: "room" },
    h("legend", {}, t("rooms.room_n", { n })),
    input("name", t("rooms.name"), { placeholder: t("rooms.name_placeholder") }),
    input("width_mm", t("rooms.width"), mm),
    input("height_mm", t("rooms.height"), mm),
    input("depth_mm", t("rooms.depth"), mm),
    input("notes", t("rooms.notes"), {}),
    h("button", { type: "button", class: "link", onclick: () => row.remove() }, t("rooms.remove")));
  return row;
}

function readRooms(container) {
  const rooms = [];
  for (const row of container.querySelectorAll("fieldset.room")) {
    const value = (name) => row.querySelector(`[name=${name}]`).value.trim();
    const name = value("name");
    const sizes = ["width_mm", "height_mm", "depth_mm"].map(value);
    if (!name && sizes.every((s) => !s)) continue; // an untouched empty row
    if (!name) return { error: t("rooms.need_name") };
    const room = { name };
    for (const [key, raw] of [["width_mm", sizes[0]], ["height_mm", sizes[1]], ["depth_mm", sizes[2]]]) {
      if (!raw) {
        if (key === "depth_mm") continue;
        return { error: t("rooms.need_size", { name }) };
      }
      const num = Number(raw.replace(/\s/g, ""));
      if (!Number.isInteger(num) || num <= 0) return { error: t("rooms.bad_size", { name }) };
      room[key] = num;
    }
    const notes = value("notes");
    if (notes) room.notes = notes;
    rooms.push(room);
  }
  if (!rooms.length) return { error: t("rooms.need_one") };
  return { rooms };
}
