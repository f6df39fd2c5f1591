// Check-in/out through the outbox: straight to the API when nothing waits; kept (same key,
// the tap's time) without signal or behind earlier work, and then sent by the outbox.
import "fake-indexeddb/auto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../../api/client";
import { session } from "../../api/session";
import { onSiteRequest, sendNow } from "../onsite/send";
import { sendOnSite } from "./onsite";
import { enqueue, flush, list } from "./outbox";
import { closeDb, DB_NAME, type RequestItem } from "./store";

const tap = new Date("2026-12-01T07:05:00Z");
const request = () => onSiteRequest("v1", "check-in", { lat: 55.75, lon: 37.61, accuracy_m: 12 }, tap, "key-in");
const answer = { visit_id: "v1", check_in: { at: tap.toISOString(), lat: 55.75, lon: 37.61, accuracy_m: 12 } };

// The API client keeps the fetch it was made with: the on-site request itself is stubbed.
vi.mock("../onsite/send", async (original) => ({ ...(await original<object>()), sendNow: vi.fn() }));
const direct = vi.mocked(sendNow);

type Call = { url: string; headers: Headers; body: string };
function gateway(answers: Array<() => Response>): { calls: Call[] } {
  const calls: Call[] = [];
  vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(input), headers: new Headers(init?.headers), body: String(init?.body ?? "") });
    const next = answers.shift();
    if (!next) throw new TypeError("Failed to fetch");
    return next();
  });
  return { calls };
}

beforeEach(async () => {
  await closeDb();
  await new Promise<void>((resolve) => {
    const del = indexedDB.deleteDatabase(DB_NAME);
    del.onsuccess = () => resolve();
    del.onerror = () => resolve();
  });
  session.set("t", 600);
});
afterEach(() => vi.unstubAllGlobals());

describe("check-in through the outbox", () => {
  it("goes straight to the API when nothing waits", async () => {
    direct.mockResolvedValueOnce(answer);
    expect(await sendOnSite(request())).toEqual(answer);
    expect(direct).toHaveBeenCalledWith(request());
    expect(await list()).toEqual([]);
  });

  it("is kept without signal, with its key and the tap's time, and sent later", async () => {
    gateway([]);
    direct.mockRejectedValueOnce(new ApiError(0, null));
    expect(await sendOnSite(request())).toBeNull();
    const [item] = (await list()) as RequestItem[];
    expect(item?.path).toBe("/api/v1/visits/v1/check-in");
    expect(item?.key).toBe("key-in");
    expect(item?.body).toEqual({ lat: 55.75, lon: 37.61, accuracy_m: 12, at: tap.toISOString() });
    await flush(async () => ({ kind: "retry" })); // let the background try finish
    const { calls } = gateway([() => Response.json(answer)]);
    const { sendRequest } = await import("./send");
    await flush((queued) => sendRequest(queued as RequestItem));
    expect(calls[0]?.headers.get("Idempotency-Key")).toBe("key-in");
    expect(((await list())[0] as RequestItem).state).toBe("sent");
  });

  it("waits behind earlier work instead of overtaking it", async () => {
    direct.mockClear();
    const { calls } = gateway([]);
    await enqueue({ type: "request", key: "photo-first", label: "earlier", method: "POST", path: "/api/v1/x", body: {} });
    expect(await sendOnSite(request())).toBeNull();
    await flush(async () => ({ kind: "retry" }));
    expect(direct).not.toHaveBeenCalled();
    expect(calls.filter((c) => c.url.includes("check-in"))).toHaveLength(0);
    expect((await list()).map((i) => i.key)).toEqual(["photo-first", "key-in"]);
  });
});
