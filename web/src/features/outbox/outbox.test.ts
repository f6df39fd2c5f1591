// The outbox against a real IndexedDB implementation (fake-indexeddb): made in order, sent in
// order, each once; an unreachable server stops the line and the next run resumes it; a
// refusal steps out of the line with its reason, to be retried or discarded; an ended session
// keeps every item; a token that expired meanwhile is refreshed silently.
import "fake-indexeddb/auto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { session } from "../../api/session";
import { discard, enqueue, flush, list, queuedCount, retry, signInNeeded, type Outcome, type Sender } from "./outbox";
import { sendRequest } from "./send";
import { closeDb, DB_NAME, type OutboxItem, type RequestItem } from "./store";

const request = (n: number, key = `key-${n}`): Omit<RequestItem, "seq" | "state" | "createdAt"> => ({
  type: "request",
  key,
  label: `item ${n}`,
  method: "POST",
  path: `/api/v1/tasks/t${n}/complete`,
  body: { note: `n${n}` },
});

/** A server that answers from a script, per path; records what it was sent. */
function server(script: Record<string, Outcome[]> = {}): { sent: string[]; send: Sender } {
  const sent: string[] = [];
  const send: Sender = async (item) => {
    const path = item.type === "request" ? item.path : item.key;
    sent.push(path);
    return script[path]?.shift() ?? { kind: "sent" };
  };
  return { sent, send };
}

const states = async (): Promise<string[]> => (await list()).map((i) => `${i.label}:${i.state}`);

beforeEach(async () => {
  await closeDb();
  await new Promise<void>((resolve) => {
    const del = indexedDB.deleteDatabase(DB_NAME);
    del.onsuccess = () => resolve();
    del.onerror = () => resolve();
  });
  sessionStorage.clear();
});
afterEach(() => vi.unstubAllGlobals());

describe("outbox", () => {
  it("sends in the order things were made, each once", async () => {
    for (const n of [1, 2, 3]) await enqueue(request(n));
    expect(await queuedCount()).toBe(3);
    const { sent, send } = server();
    await flush(send);
    await flush(send);
    expect(sent).toEqual(["/api/v1/tasks/t1/complete", "/api/v1/tasks/t2/complete", "/api/v1/tasks/t3/complete"]);
    expect(await states()).toEqual(["item 1:sent", "item 2:sent", "item 3:sent"]);
    expect(await queuedCount()).toBe(0);
  });

  it("keeps one item for one key (a double tap)", async () => {
    await enqueue(request(1, "same"));
    await enqueue(request(2, "same"));
    expect((await list()).map((i) => i.label)).toEqual(["item 1"]);
  });

  it("stops the line at an item the server could not be reached for, and resumes there", async () => {
    for (const n of [1, 2, 3]) await enqueue(request(n));
    const { sent, send } = server({ "/api/v1/tasks/t2/complete": [{ kind: "retry" }] });
    await flush(send);
    expect(sent).toEqual(["/api/v1/tasks/t1/complete", "/api/v1/tasks/t2/complete"]);
    expect(await states()).toEqual(["item 1:sent", "item 2:waiting", "item 3:waiting"]);
    await flush(send);
    expect(sent.slice(2)).toEqual(["/api/v1/tasks/t2/complete", "/api/v1/tasks/t3/complete"]);
    expect(await queuedCount()).toBe(0);
  });

  it("sends again an item left 'sending' by an app that was closed", async () => {
    const item = await enqueue(request(1));
    const { sent, send } = server();
    // The app died mid-send: the item is still marked sending in the database.
    await flush(async (_item, progress) => {
      progress(40);
      expect((await list())[0]?.state).toBe("sending");
      return { kind: "retry" };
    });
    expect((await list())[0]?.state).toBe("waiting");
    await flush(send);
    expect(sent).toEqual([(item as RequestItem).path]);
  });

  it("lets a refused item out of the line with its reason; retried or discarded by hand", async () => {
    for (const n of [1, 2]) await enqueue(request(n));
    const refusal: Outcome = { kind: "refused", code: "invalid_results", message: "Укажите размер" };
    const { sent, send } = server({ "/api/v1/tasks/t1/complete": [refusal] });
    await flush(send);
    expect(await states()).toEqual(["item 1:refused", "item 2:sent"]);
    const [refused] = await list();
    expect(refused?.refusal).toEqual({ code: "invalid_results", message: "Укажите размер" });
    expect(await queuedCount()).toBe(1); // refused is not the server's yet

    await flush(send);
    expect(sent).toHaveLength(2); // not resent by itself
    await retry(refused?.seq ?? -1);
    await flush(send);
    expect(await states()).toEqual(["item 1:sent", "item 2:sent"]);

    await enqueue(request(3));
    await flush(server({ "/api/v1/tasks/t3/complete": [refusal] }).send);
    const third = (await list()).find((i: OutboxItem) => i.label === "item 3");
    await discard(third?.seq ?? -1);
    expect((await list()).map((i) => i.label)).toEqual(["item 1", "item 2"]);
  });

  it("keeps all work when the session has ended, and sends it after sign-in", async () => {
    for (const n of [1, 2]) await enqueue(request(n));
    const { sent, send } = server({ "/api/v1/tasks/t1/complete": [{ kind: "signin" }] });
    await flush(send);
    expect(signInNeeded()).toBe(true);
    expect(await states()).toEqual(["item 1:waiting", "item 2:waiting"]);
    await flush(send);
    expect(signInNeeded()).toBe(false);
    expect(sent).toEqual(["/api/v1/tasks/t1/complete", "/api/v1/tasks/t1/complete", "/api/v1/tasks/t2/complete"]);
    expect(await queuedCount()).toBe(0);
  });
});

type Call = { url: string; headers: Headers; body?: string };

function gateway(answers: Array<() => Response>): { calls: Call[]; fetcher: typeof fetch } {
  const calls: Call[] = [];
  const fetcher = (async (input: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(input), headers: new Headers(init?.headers), body: init?.body as string | undefined });
    const answer = answers.shift();
    if (!answer) throw new TypeError("Failed to fetch"); // no network
    return answer();
  }) as typeof fetch;
  return { calls, fetcher };
}

describe("sending a request", () => {
  it("refreshes a token that expired meanwhile and sends once more, with the same key", async () => {
    session.set("old", 600);
    const { calls, fetcher } = gateway([
      () => Response.json({ detail: "token expired", code: "unauthorized" }, { status: 401 }),
      () => Response.json({ access_token: "new", expires_in: 600 }),
      () => Response.json({ id: "t1", status: "done" }),
    ]);
    vi.stubGlobal("fetch", fetcher);
    await enqueue(request(1));
    await flush((item) => sendRequest(item as RequestItem));
    expect(calls.map((c) => c.url)).toEqual(["/api/v1/tasks/t1/complete", "/api/v1/auth/refresh", "/api/v1/tasks/t1/complete"]);
    expect(calls[0]?.headers.get("Authorization")).toBe("Bearer old");
    expect(calls[2]?.headers.get("Authorization")).toBe("Bearer new");
    expect(calls[0]?.headers.get("Idempotency-Key")).toBe("key-1");
    expect(calls[2]?.headers.get("Idempotency-Key")).toBe("key-1");
    expect(JSON.parse(calls[2]?.body ?? "null")).toEqual({ note: "n1" });
    expect(await states()).toEqual(["item 1:sent"]);
  });

  it("keeps the work and asks for sign-in when the session was revoked", async () => {
    session.set("old", 600);
    const asked = vi.fn();
    const stop = session.onExpired(asked);
    const { fetcher } = gateway([
      () => Response.json({ detail: "session ended" }, { status: 401 }),
      () => Response.json({ detail: "refresh refused" }, { status: 401 }),
    ]);
    vi.stubGlobal("fetch", fetcher);
    await enqueue(request(1));
    await flush((item) => sendRequest(item as RequestItem));
    stop();
    expect(asked).toHaveBeenCalledOnce();
    expect(signInNeeded()).toBe(true);
    expect(await states()).toEqual(["item 1:waiting"]);
    expect(await queuedCount()).toBe(1);
  });

  it("waits without a network, and says a refusal in words", async () => {
    session.set("t", 600);
    vi.stubGlobal("fetch", gateway([]).fetcher);
    await enqueue(request(1));
    await flush((item) => sendRequest(item as RequestItem));
    expect(await states()).toEqual(["item 1:waiting"]);

    vi.stubGlobal(
      "fetch",
      gateway([() => Response.json({ detail: "the task is done", code: "task_not_open" }, { status: 409 })]).fetcher,
    );
    await flush((item) => sendRequest(item as RequestItem));
    const [item] = await list();
    expect(item?.state).toBe("refused");
    expect(item?.refusal?.code).toBe("task_not_open");
    expect(item?.refusal?.message).toBe("Задачу уже закрыли — отметка не нужна.");
  });
});
