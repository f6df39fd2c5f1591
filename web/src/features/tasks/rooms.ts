// A measurement's rooms as typed on a phone → the request's `results.rooms`. Pure, so the
// rules (a name, whole millimetres above zero, depth optional, untouched rows skipped) are
// unit-tested. Errors name the row and the field, for the form to show beside it.
import type { Schemas } from "../../api/client";

export type RoomDraft = {
  key: number;
  name: string;
  width_mm: string;
  height_mm: string;
  depth_mm: string;
  notes: string;
};
export type RoomField = "name" | "width_mm" | "height_mm" | "depth_mm" | "notes";
export type RoomProblem = "need_name" | "need_size" | "bad_size" | "need_one";
export type RoomError = { row: number | null; field: RoomField | null; problem: RoomProblem };
export type Room = Schemas["RoomIn"];

const SIZES = ["width_mm", "height_mm", "depth_mm"] as const;
const MAX_MM = 100000;

let nextKey = 1;
export function emptyRoom(): RoomDraft {
  return { key: nextKey++, name: "", width_mm: "", height_mm: "", depth_mm: "", notes: "" };
}

/** "2 400" or "2400" → 2400; anything else (fractions, zero, words) → null. */
export function millimetres(raw: string): number | null {
  const text = raw.replace(/[\s\u00a0]/g, "");
  if (!/^\d+$/.test(text)) return null;
  const n = Number(text);
  return n > 0 && n <= MAX_MM ? n : null;
}

/**
 * The rooms to send, and for each the index of the row it came from (a server's 422 about
 * `results.rooms.2.width_mm` is shown on that row); or every problem found.
 */
export function readRooms(
  drafts: readonly RoomDraft[],
): { rooms: Room[]; rows: number[] } | { errors: RoomError[] } {
  const rooms: Room[] = [];
  const rows: number[] = [];
  const errors: RoomError[] = [];
  drafts.forEach((draft, row) => {
    const name = draft.name.trim();
    const sizes = SIZES.map((key) => draft[key].trim());
    if (!name && sizes.every((s) => !s) && !draft.notes.trim()) return; // an untouched row
    if (!name) errors.push({ row, field: "name", problem: "need_name" });
    const room: Room = { name, width_mm: 0, height_mm: 0 };
    for (const key of SIZES) {
      const raw = draft[key].trim();
      if (!raw) {
        if (key !== "depth_mm") errors.push({ row, field: key, problem: "need_size" });
        continue;
      }
      const mm = millimetres(raw);
      if (mm === null) errors.push({ row, field: key, problem: "bad_size" });
      else room[key] = mm;
    }
    const notes = draft.notes.trim();
    if (notes) room.notes = notes;
    rooms.push(room);
    rows.push(row);
  });
  if (errors.length) return { errors };
  if (!rooms.length) return { errors: [{ row: null, field: null, problem: "need_one" }] };
  return { rooms, rows };
}

/** A 422's field path (`results.rooms.2.width_mm`) → the row and field it is about. */
export function roomOfPath(path: string, rows: readonly number[]): { row: number; field: RoomField } | null {
  const match = /^results\.rooms\.(\d+)\.(name|width_mm|height_mm|depth_mm|notes)$/.exec(path);
  if (!match) return null;
  const row = rows[Number(match[1])];
  return row === undefined ? null : { row, field: match[2] as RoomField };
}
