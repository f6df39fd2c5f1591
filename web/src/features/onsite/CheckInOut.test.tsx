import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../../api/client";
import { CheckInOut } from "./CheckInOut";
import { NoPosition } from "./position";
import { onSiteRequest, type OnSiteRequest, type Send } from "./send";

afterEach(cleanup);

const visit = { visit_id: "v1", status: "booked" };
const here = async () => ({ lat: 55.75, lon: 37.61, accuracy_m: 12 });

describe("onSiteRequest", () => {
  it("keeps the tap's time and one key, and the phone's accuracy within the API's bound", () => {
    const at = new Date("2030-03-04T10:05:00Z");
    const request = onSiteRequest("v1", "check-in", { lat: 1, lon: 2, accuracy_m: 250_000 }, at, "k1");
    expect(request).toEqual({
      visitId: "v1",
      act: "check-in",
      idempotencyKey: "k1",
      body: { lat: 1, lon: 2, accuracy_m: 100_000, at: "2030-03-04T10:05:00.000Z" },
    });
  });
});

describe("CheckInOut", () => {
  it("checks in with the phone's position, then offers the check-out", async () => {
    const sent: OnSiteRequest[] = [];
    const send: Send = async (request) => {
      sent.push(request);
      return { visit_id: "v1", check_in: { at: "2030-03-04T10:05:00Z", lat: 55.75, lon: 37.61 }, check_out: null };
    };
    render(<CheckInOut visit={visit} send={send} locate={here} />);
    fireEvent.click(screen.getByRole("button", { name: "Я на объекте" }));
    await screen.findByRole("button", { name: "Ушёл с объекта" });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ visitId: "v1", act: "check-in", body: { lat: 55.75, lon: 37.61, accuracy_m: 12 } });
    expect(screen.getByText(/На объекте с/)).toBeTruthy();
  });

  it("sends the same request again after an error (one Idempotency-Key per tap)", async () => {
    const keys: string[] = [];
    let first = true;
    const send: Send = async (request) => {
      keys.push(request.idempotencyKey);
      if (first) {
        first = false;
        throw new ApiError(0, null);
      }
      return { visit_id: "v1", check_in: { at: "2030-03-04T10:05:00Z", lat: 1, lon: 1 } };
    };
    const locate = vi.fn(here);
    render(<CheckInOut visit={visit} send={send} locate={locate} />);
    fireEvent.click(screen.getByRole("button", { name: "Я на объекте" }));
    await screen.findByRole("alert");
    fireEvent.click(screen.getByRole("button", { name: "Я на объекте" }));
    await screen.findByRole("button", { name: "Ушёл с объекта" });
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(keys[1]);
    expect(locate).toHaveBeenCalledTimes(1);
  });

  it("says it was queued when the queue took it", async () => {
    render(<CheckInOut visit={visit} send={async () => null} locate={here} />);
    fireEvent.click(screen.getByRole("button", { name: "Я на объекте" }));
    await screen.findByRole("status");
    expect(screen.getByRole("status").textContent).toBe("Отметка сохранена и уйдёт, когда появится связь");
  });

  it("asks for location access when the phone refuses it", async () => {
    const send = vi.fn<Send>();
    const denied = async (): Promise<never> => {
      throw new NoPosition(true);
    };
    render(<CheckInOut visit={visit} send={send} locate={denied} />);
    fireEvent.click(screen.getByRole("button", { name: "Я на объекте" }));
    await waitFor(() => expect(screen.getByRole("alert").textContent).toMatch(/геопозиции/));
    expect(send).not.toHaveBeenCalled();
  });

  it("shows both times and no button once checked out", () => {
    render(
      <CheckInOut
        visit={{ ...visit, checked_in_at: "2030-03-04T10:05:00Z", checked_out_at: "2030-03-04T12:00:00Z" }}
        locate={here}
      />,
    );
    expect(screen.queryByRole("button")).toBeNull();
    expect(screen.getByText(/На объекте:/)).toBeTruthy();
  });
});
