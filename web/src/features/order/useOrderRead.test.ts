import { act, renderHook, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, type Schemas } from "../../api/client";
import { getOrder } from "./api";
import { useOrderRead } from "./useOrderRead";

vi.mock("./api", () => ({ getOrder: vi.fn() }));
const reading = vi.mocked(getOrder);
const card = { id: "o1", version: 3 } as Schemas["OrderCard"];

afterEach(() => reading.mockReset());

describe("useOrderRead", () => {
  it("reads the card on mount, in the user's language, and hands it to the form", async () => {
    reading.mockResolvedValue(card);
    const took = vi.fn();
    const { result } = renderHook(() => useOrderRead("o1", took));
    await waitFor(() => expect(took).toHaveBeenCalledWith(card));
    expect(reading).toHaveBeenCalledWith("o1", "ru", expect.any(AbortSignal));
    expect(result.current.failure).toBeNull();
  });

  it("says why a read failed, and a successful re-read clears it", async () => {
    reading.mockRejectedValueOnce(new ApiError(0, null)).mockResolvedValueOnce(card);
    const took = vi.fn();
    const { result } = renderHook(() => useOrderRead("o1", took));
    await waitFor(() => expect(result.current.failure).toBeTruthy());
    expect(took).not.toHaveBeenCalled();
    await act(() => result.current.read());
    expect(took).toHaveBeenCalledWith(card);
    expect(result.current.failure).toBeNull();
  });

  it("cancels the read of the order it no longer shows, and says nothing of that", async () => {
    const signals: AbortSignal[] = [];
    reading.mockImplementation((_id, _lang, given) => {
      if (given) signals.push(given);
      // Never answers: only the abort ends it.
      return new Promise((_resolve, reject) =>
        given?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError"))),
      );
    });
    const took = vi.fn();
    const { result, rerender } = renderHook(({ id }) => useOrderRead(id, took), { initialProps: { id: "o1" } });
    rerender({ id: "o2" });
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 0));
    });
    expect(signals.map((s) => s.aborted)).toEqual([true, false]);
    expect(reading).toHaveBeenLastCalledWith("o2", "ru", expect.any(AbortSignal));
    expect(result.current.failure).toBeNull();
    expect(took).not.toHaveBeenCalled();
  });
});
