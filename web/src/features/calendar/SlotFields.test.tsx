import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Draft, Entry } from "./model";
import { SlotFields } from "./SlotFields";

const entries = [
  { member: { id: "u1", display_name: "Иван Замерщиков" } },
  { member: { id: "u2", display_name: "Пётр Монтажников" } },
] as Entry[];
const draft: Draft = { memberId: "u2", date: "2030-03-04", start: "10:00", end: "11:30" };

afterEach(cleanup);

describe("SlotFields", () => {
  it("shows the draft in four labelled fields, each edit giving the whole draft with one part changed", () => {
    const onDraft = vi.fn();
    render(<SlotFields draft={draft} onDraft={onDraft} entries={entries} />);
    expect((screen.getByLabelText("Исполнитель") as HTMLSelectElement).value).toBe("u2");
    expect((screen.getByLabelText("Начало") as HTMLInputElement).value).toBe("10:00");
    fireEvent.change(screen.getByLabelText("Дата"), { target: { value: "2030-03-05" } });
    expect(onDraft).toHaveBeenLastCalledWith({ ...draft, date: "2030-03-05" });
    fireEvent.change(screen.getByLabelText("Конец"), { target: { value: "12:00" } });
    expect(onDraft).toHaveBeenLastCalledWith({ ...draft, end: "12:00" });
    fireEvent.change(screen.getByLabelText("Исполнитель"), { target: { value: "u1" } });
    expect(onDraft).toHaveBeenLastCalledWith({ ...draft, memberId: "u1" });
  });

  it("offers “nobody yet” only to a new booking", () => {
    const { rerender } = render(<SlotFields draft={draft} onDraft={() => undefined} entries={entries} />);
    expect(screen.getAllByRole("option").map((o) => o.textContent)).toEqual(["Иван Замерщиков", "Пётр Монтажников"]);
    rerender(<SlotFields draft={draft} onDraft={() => undefined} entries={entries} nobody />);
    expect(screen.getAllByRole("option").map((o) => o.textContent)).toEqual(["—", "Иван Замерщиков", "Пётр Монтажников"]);
  });
});
