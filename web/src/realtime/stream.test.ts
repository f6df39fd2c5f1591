// The live stream client with a fake fetch (ported from tests/unit/realtime_harness.mjs and
// test_web_realtime.py): when the server ends the stream with `event: reauth`, it reconnects
// at once with Last-Event-ID and the token it holds now; a 401 then asks the user to sign in,
// and the same user's stream resumes where it stopped.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { session } from "../api/session";
import { LiveStream } from "./stream";

type Sent = { url: string; headers: Record<string, string>; at: number };
let closedAt = 0;

const FIRST =
  'event: ready\ndata: {"seq": 5, "cursor": "5.3"}\nid: 5.3\n\n' +
  'event: board\ndata: {"seq": 6, "order_id": "o1"}\nid: 6.3\n\n' +
  'event: reauth\ndata: {"reason": "token_expired", "cursor": "6.3"}\n\n';

/** An event stream that sends `text`, stays open `openMs` (a stream that lived a while, so
 * the client does not take it for one the server refused at once), then ends; aborting the
 * request ends it too. */
function sse(text: string, signal: AbortSignal | null | undefined, openMs: number | null): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(text));
      signal?.addEventListener("abort", () => controller.error(new DOMException("aborted", "AbortError")));
      if (openMs !== null) {
        setTimeout(() => {
          closedAt = Date.now();
          controller.close();
        }, openMs);
      }
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream" } });
}

function fakeServer(second: "stream" | "refuse"): { fetcher: typeof fetch; sent: Sent[] } {
  const sent: Sent[] = [];
  const fetcher = (async (url: RequestInfo | URL, init?: RequestInit) => {
    sent.push({ url: String(url), headers: { ...(init?.headers as Record<string, string>) }, at: Date.now() });
    if (sent.length === 1) return sse(FIRST, init?.signal, 2100);
    if (second === "refuse") return new Response("{}", { status: 401 });
    return sse('event: ready\ndata: {"seq": 6, "cursor": "6.3"}\nid: 6.3\n\n', init?.signal, null);
  }) as typeof fetch;
  return { fetcher, sent };
}

describe("LiveStream", () => {
  let stream: LiveStream;
  beforeEach(() => {
    sessionStorage.clear();
    session.set("old-token");
  });
  afterEach(() => stream.stop());

  it("after a reauth reconnects at once with Last-Event-ID and its current token", async () => {
    const { fetcher, sent } = fakeServer("stream");
    stream = new LiveStream("/api/v1/events/stream", fetcher);
    const told: string[] = [];
    let expired = 0;
    const off = session.onExpired(() => expired++);
    stream.subscribe((event) => {
      told.push(event.type);
      if (event.type === "reauth") session.set("fresh-token"); // signed in again meanwhile
    });
    stream.start("u1");
    await vi.waitFor(() => expect(sent).toHaveLength(2), { timeout: 5000, interval: 50 });
    off();
    const [first, second] = sent;
    expect(first?.url).toBe("/api/v1/events/stream");
    expect(first?.headers.Authorization).toBe("Bearer old-token");
    expect(first?.headers).not.toHaveProperty("Last-Event-ID");
    expect(second?.headers["Last-Event-ID"]).toBe("6.3"); // the last frame's id
    expect(second?.headers.Authorization).toBe("Bearer fresh-token");
    // At once: not after the 2 s backoff of a stream that failed.
    expect((second?.at ?? Infinity) - closedAt).toBeLessThan(1000);
    expect(told.slice(0, 4)).toEqual(["connected", "ready", "board", "reauth"]);
    expect(expired).toBe(0);
  }, 10000);

  it("a refused reconnect asks to sign in, and the same user then resumes where it stopped", async () => {
    const { fetcher, sent } = fakeServer("refuse");
    stream = new LiveStream("/api/v1/events/stream", fetcher);
    let expired = 0;
    const off = session.onExpired(() => expired++);
    stream.start("u1");
    await vi.waitFor(() => expect(expired).toBe(1), { timeout: 5000, interval: 50 });
    off();
    expect(sent).toHaveLength(2);
    expect(session.token()).toBeNull(); // the refused token is forgotten

    // Signed in again as the same user (the shell stops the stream on sign-out, starts it
    // on sign-in): the stream resumes from its cursor with the new token.
    stream.stop();
    session.set("relogin-token");
    stream.start("u1");
    await vi.waitFor(() => expect(sent).toHaveLength(3), { timeout: 2000, interval: 20 });
    expect(sent[2]?.headers["Last-Event-ID"]).toBe("6.3");
    expect(sent[2]?.headers.Authorization).toBe("Bearer relogin-token");
  }, 10000);

  it("another user never resumes the previous user's cursor", async () => {
    const { fetcher, sent } = fakeServer("refuse");
    stream = new LiveStream("/api/v1/events/stream", fetcher);
    stream.start("u1");
    await vi.waitFor(() => expect(sent).toHaveLength(2), { timeout: 5000, interval: 50 });
    stream.stop();
    session.set("other-token");
    stream.start("u2");
    await vi.waitFor(() => expect(sent).toHaveLength(3), { timeout: 2000, interval: 20 });
    expect(sent[2]?.headers).not.toHaveProperty("Last-Event-ID");
    expect(sent[2]?.headers.Authorization).toBe("Bearer other-token");
  }, 10000);
});
