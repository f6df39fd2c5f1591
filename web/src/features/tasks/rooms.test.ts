import { describe, expect, it } from "vitest";
import { emptyRoom, millimetres, readRooms, roomOfPath, type RoomDraft } from "./rooms";

const room = (values: Partial<RoomDraft>): RoomDraft => ({ ...emptyRoom(), ...values });

describe("millimetres", () => {
  it("takes whole millimetres, with spaces as typed", () => {
    expect(millimetres("2400")).toBe(2400);
    expect(millimetres("2 400")).toBe(2400);
  });
  it("refuses fractions, zero, words and the absurd", () => {
    for (const bad of ["2400.5", "0", "abc", "-5", "100001"]) expect(millimetres(bad)).toBeNull();
  });
});

describe("readRooms", () => {
  it("reads the rooms, depth and notes optional, skipping untouched rows", () => {
    const result = readRooms([
      room({ name: " Прихожая ", width_mm: "2400", height_mm: "2650", depth_mm: "600", notes: "ниша" }),
      room({}),
      room({ name: "Кухня", width_mm: "3 000", height_mm: "2700" }),
    ]);
    expect(result).toEqual({
      rooms: [
        { name: "Прихожая", width_mm: 2400, height_mm: 2650, depth_mm: 600, notes: "ниша" },
        { name: "Кухня", width_mm: 3000, height_mm: 2700 },
      ],
      rows: [0, 2],
    });
  });
  it("names each problem's row and field", () => {
    const result = readRooms([room({ width_mm: "2400", height_mm: "2650" }), room({ name: "Кухня", width_mm: "2,5" })]);
    expect(result).toEqual({
      errors: [
        { row: 0, field: "name", problem: "need_name" },
        { row: 1, field: "width_mm", problem: "bad_size" },
        { row: 1, field: "height_mm", problem: "need_size" },
      ],
    });
  });
  it("asks for at least one room", () => {
    expect(readRooms([room({})])).toEqual({ errors: [{ row: null, field: null, problem: "need_one" }] });
    expect(readRooms([])).toEqual({ errors: [{ row: null, field: null, problem: "need_one" }] });
  });
});

describe("roomOfPath", () => {
  it("maps a 422's field path back to the row it came from", () => {
    expect(roomOfPath("results.rooms.1.width_mm", [0, 2])).toEqual({ row: 2, field: "width_mm" });
    expect(roomOfPath("results.rooms.5.width_mm", [0, 2])).toBeNull();
    expect(roomOfPath("note", [0])).toBeNull();
  });
});
