// Completing a task on site: a note, and for a measurement the rooms with their sizes in
// millimetres (as the old app asked: name, width, height, optional depth, notes; rows added
// and removed). Problems are shown beside the field they are about, the browser's or the
// server's (a 422 names `results.rooms.N.field`); a 409 (someone closed it already) in place.
import { useId, useState, type FormEvent, type ReactElement } from "react";
import { ApiError, api, ok, type Schemas } from "../../api/client";
import { errorText } from "../../app/errors";
import { common } from "../../i18n/common";
import { useApp } from "../../store/app";
import { Field } from "../../ui/Field";
import { UploadForm } from "../media/UploadForm";
import { m as om } from "../outbox/messages";
import { enqueue, flush, itemKey, queuedCount } from "../outbox/outbox";
import { send } from "../outbox/send";
import type { Task } from "./group";
import { m, type TasksKey } from "./messages";
import { emptyRoom, readRooms, roomOfPath, type RoomDraft, type RoomField, type RoomProblem } from "./rooms";

type Props = {
  task: Task;
  title: string;
  onDone: () => void;
  onCancel: () => void;
  onStale: () => void;
  onQueued?: () => void; // sent without signal: kept in the outbox, not an error
};

const PROBLEM: Record<RoomProblem, TasksKey> = {
  need_name: "rooms.need_name",
  need_size: "rooms.need_size",
  bad_size: "rooms.bad_size",
  need_one: "rooms.need_one",
};
const PHOTO_KINDS = ["installation", "rework"];
// Keyed by the row's stable key, not its position: removing a row must not move messages.
const errKey = (roomKey: number, field: RoomField): string => `${roomKey}.${field}`;

export function CompleteForm({ task, title, onDone, onCancel, onStale, onQueued }: Props): ReactElement {
  const t = m.use();
  const tc = common.use();
  const toast = useApp((s) => s.toast);
  const lang = useApp((s) => s.lang);
  const measuring = task.kind === "measurement";
  const [rooms, setRooms] = useState<RoomDraft[]>(() => (measuring ? [emptyRoom()] : []));
  const [note, setNote] = useState("");
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const formId = useId();
  // One key for this completion, first try and every repeat from the outbox alike.
  const [key] = useState(itemKey);

  const forget = (name: string): void =>
    setFieldErrors((all) => {
      if (!(name in all)) return all;
      const rest = { ...all };
      delete rest[name];
      return rest;
    });
  const edit = (key: number, field: RoomField, value: string): void => {
    setRooms((all) => all.map((room) => (room.key === key ? { ...room, [field]: value } : room)));
    forget(errKey(key, field)); // the message was about what has just been changed
    setFormError(null);
  };

  async function submit(event: FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    setFieldErrors({});
    setFormError(null);
    const text = note.trim();
    let rows: number[] = [];
    const body: Schemas["CompleteTask"] = {};
    if (text) body.note = text;
    if (measuring) {
      const parsed = readRooms(rooms);
      if ("errors" in parsed) {
        const found: Record<string, string> = {};
        for (const e of parsed.errors) {
          if (e.row === null || e.field === null) setFormError(t(PROBLEM[e.problem]));
          else found[errKey(rooms[e.row]?.key ?? -1, e.field)] ??= t(PROBLEM[e.problem]);
        }
        setFieldErrors(found);
        return;
      }
      rows = parsed.rows;
      body.results = { rooms: parsed.rooms, ...(text ? { notes: text } : {}) };
    }
    setBusy(true);
    // Kept in the outbox, sent under the same key when it can be: "в очереди", not an error.
    const queue = async (): Promise<void> => {
      const path = `/api/v1/tasks/${task.id}/complete`;
      const label = om.in(lang)("outbox.done", { title });
      await enqueue({ type: "request", key, label, method: "POST", path, body, orderId: task.order_id ?? null });
      setBusy(false);
      toast(t("tasks.queued"));
      (onQueued ?? onDone)();
      void flush(send).catch(() => undefined);
    };
    // Earlier work (photos) still waits: this goes after it, not ahead (FIFO).
    if ((await queuedCount()) > 0) return queue();
    try {
      const params = { path: { task_id: task.id }, header: { "idempotency-key": key } };
      await ok(api.POST("/api/v1/tasks/{task_id}/complete", { params, body }));
      toast(t("tasks.completed"));
      onDone();
    } catch (err) {
      setBusy(false);
      // No signal (or the server is down): the outbox sends it when the network returns.
      if (err instanceof ApiError && (err.status === 0 || err.status >= 500)) return queue();
      if (err instanceof ApiError && err.status === 409) {
        setFormError(t("tasks.conflict"));
        toast(t("tasks.conflict"), "error");
        onStale(); // re-read: what is shown must be what the server has
        return;
      }
      if (err instanceof ApiError && err.status === 422) {
        const found: Record<string, string> = {};
        const messages = err.fieldMessages();
        // invalid_results names the field in its detail: "results.rooms.0.width_mm: ..."
        const detail = /^(results\.[\w.]+): (.+)$/.exec(err.message);
        if (detail?.[1] && detail[2]) messages[detail[1]] ??= detail[2];
        let placed = false;
        for (const [path, message] of Object.entries(messages)) {
          const at = roomOfPath(path, rows);
          if (at) {
            found[errKey(rooms[at.row]?.key ?? -1, at.field)] = message;
            placed = true;
          } else if (path === "note") {
            found.note = message;
            placed = true;
          }
        }
        setFieldErrors(found);
        if (!placed) setFormError(errorText(err, tc));
        return;
      }
      setFormError(errorText(err, tc));
    }
  }

  return (
    <form className="complete" onSubmit={(e) => void submit(e)} aria-labelledby={`${formId}-title`} noValidate>
      <h3 id={`${formId}-title`} className="visually-hidden">
        {t("tasks.complete_form", { title })}
      </h3>
      {measuring ? (
        <fieldset className="rooms">
          <legend>{t("rooms.title")}</legend>
          <p className="muted small">{t("rooms.hint")}</p>
          {rooms.map((room, row) => (
            <RoomRow
              key={room.key}
              room={room}
              n={row + 1}
              errors={fieldErrors}
              onEdit={edit}
              onRemove={rooms.length > 1 ? () => setRooms((all) => all.filter((r) => r.key !== room.key)) : null}
            />
          ))}
          <button type="button" onClick={() => setRooms((all) => [...all, emptyRoom()])}>
            + {t("rooms.add")}
          </button>
        </fieldset>
      ) : null}
      {PHOTO_KINDS.includes(task.kind) && task.order_id ? (
        <div className="task-photos">
          <p className="hint">{t("tasks.photos_hint")}</p>
          <UploadForm orderId={task.order_id} purposes={[task.kind]} />
        </div>
      ) : null}
      <Field label={t("tasks.note")} error={fieldErrors.note}>
        {(props) => <textarea {...props} rows={3} maxLength={5000} value={note} onChange={(e) => {
              setNote(e.currentTarget.value);
              forget("note");
            }} />}
      </Field>
      {formError ? (
        <p className="error" role="alert">
          {formError}
        </p>
      ) : null}
      <div className="row wrap">
        <button type="submit" className="primary" disabled={busy}>
          {t("tasks.submit")}
        </button>
        <button type="button" onClick={onCancel}>
          {tc("common.cancel")}
        </button>
      </div>
    </form>
  );
}

type RowProps = {
  room: RoomDraft;
  n: number;
  errors: Record<string, string>;
  onEdit: (key: number, field: RoomField, value: string) => void;
  onRemove: (() => void) | null;
};

function RoomRow({ room, n, errors, onEdit, onRemove }: RowProps): ReactElement {
  const t = m.use();
  // inputMode=numeric brings up the digit keypad on phones; sizes are whole millimetres.
  const mm = { inputMode: "numeric" as const, pattern: "[0-9 ]*", autoComplete: "off" };
  const input = (field: RoomField, label: TasksKey, extra: Record<string, string> = {}): ReactElement => (
    <div className={`room-field ${field}`}>
      <Field label={t(label)} error={errors[errKey(room.key, field)]}>
        {(props) => (
          <input {...props} {...extra} value={room[field]} onChange={(e) => onEdit(room.key, field, e.currentTarget.value)} />
        )}
      </Field>
    </div>
  );
  return (
    <fieldset className="room">
      <legend>{t("rooms.room_n", { n })}</legend>
      {input("name", "rooms.name", { placeholder: t("rooms.name_placeholder"), maxLength: "100" })}
      {input("width_mm", "rooms.width", mm)}
      {input("height_mm", "rooms.height", mm)}
      {input("depth_mm", "rooms.depth", mm)}
      {input("notes", "rooms.notes", { maxLength: "2000" })}
      {onRemove ? (
        <button type="button" className="link danger-link" onClick={onRemove}>
          {t("rooms.remove", { n })}
        </button>
      ) : null}
    </fieldset>
  );
}
