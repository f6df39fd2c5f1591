import { afterEach, describe, expect, it, vi } from "vitest";
import { api } from "../../api/client";
import { uploadDocument, uploadFile } from "./upload";

// The three steps without a network: the gateway's two POSTs answered here, the PUT taken by
// a stand-in XMLHttpRequest that records what it was sent.
const puts: { url: string; type: string | undefined; body: unknown }[] = [];
const cut = new Set<string>(); // URLs whose next PUT loses its connection
const refused = new Set<string>(); // URLs the store always answers 403
class FakeXhr {
  upload: { onprogress: ((e: ProgressEvent) => void) | null } = { onprogress: null };
  status = 200;
  timeout = 0;
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  ontimeout: (() => void) | null = null;
  onabort: (() => void) | null = null;
  private url = "";
  private headers: Record<string, string> = {};
  open(_method: string, url: string): void {
    this.url = url;
  }
  setRequestHeader(name: string, value: string): void {
    this.headers[name] = value;
  }
  send(body: unknown): void {
    puts.push({ url: this.url, type: this.headers["Content-Type"], body });
    if (refused.has(this.url)) {
      this.status = 403;
      queueMicrotask(() => this.onload?.());
      return;
    }
    if (cut.delete(this.url)) {
      this.status = 0;
      queueMicrotask(() => this.onerror?.());
      return;
    }
    queueMicrotask(() => this.onload?.());
  }
}

const answer = (data: unknown) => Promise.resolve({ data, response: new Response(null, { status: 200 }) });

function gateway() {
  return vi.spyOn(api, "POST").mockImplementation(((path: string) =>
    path === "/api/v1/orders/{order_id}/media"
      ? answer({ media_id: "m1", upload_url: "https://s3.example/put" })
      : answer({ id: "m1", status: "ready" })) as never);
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  puts.length = 0;
  cut.clear();
  refused.clear();
});

async function text(body: unknown): Promise<string> {
  return (body as Blob).text();
}

// A 10-byte file in parts of 4: the server's answers for declare, parts and complete, with
// `held` the parts the store holds at each ask (the server is the truth for progress).
function partsGateway(heldAt: number[][]) {
  let asks = 0;
  return vi.spyOn(api, "POST").mockImplementation(((path: string, init: { body?: { numbers?: number[] } }) => {
    if (path === "/api/v1/orders/{order_id}/media")
      return answer({ media_id: "m1", upload_url: "https://s3.example/whole", part_size: 4, part_count: 3 });
    if (path === "/api/v1/media/{media_id}/parts") {
      const held = heldAt[Math.min(asks, heldAt.length - 1)] ?? [];
      asks += 1;
      return answer({
        media_id: "m1",
        part_size: 4,
        part_count: 3,
        held: held.map((n) => ({ number: n, size: n === 3 ? 2 : 4 })),
        parts: (init.body?.numbers ?? []).map((n) => ({ number: n, size: n === 3 ? 2 : 4, upload_url: `https://s3.example/p${n}` })),
      });
    }
    return answer({ media_id: "m1", status: "ready" });
  }) as never);
}

describe("uploadDocument (the new-order dialog's files)", () => {
  it("declares a document with the type its extension names, PUTs the bytes, asks for the check", async () => {
    vi.stubGlobal("XMLHttpRequest", FakeXhr);
    const post = gateway();
    const file = new File(["PK"], "smeta.xlsx", { type: "" });
    await uploadDocument("o1", file, "calculation");
    const [declare, complete] = post.mock.calls;
    expect(declare?.[0]).toBe("/api/v1/orders/{order_id}/media");
    expect(declare?.[1]).toMatchObject({
      params: { path: { order_id: "o1" } },
      body: {
        kind: "document",
        purpose: "calculation",
        filename: "smeta.xlsx",
        content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        size: 2,
      },
    });
    expect(puts).toEqual([
      { url: "https://s3.example/put", type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body: file },
    ]);
    expect(complete?.[0]).toBe("/api/v1/media/{media_id}/complete");
    expect(complete?.[1]).toMatchObject({ params: { path: { media_id: "m1" } } });
  });

  it("sends a photo as a document too, where the order card's form would have made it a photo", async () => {
    vi.stubGlobal("XMLHttpRequest", FakeXhr);
    const post = gateway();
    const photo = new File(["x"], "sketch.jpg", { type: "image/jpeg" });
    await uploadDocument("o1", photo, "requirements");
    expect(post.mock.calls[0]?.[1]).toMatchObject({ body: { kind: "document", content_type: "image/jpeg" } });
    post.mockClear();
    await uploadFile("o1", photo, "requirements", { photo: ["requirements"], document: ["requirements"] }, () => undefined);
    expect(post.mock.calls[0]?.[1]).toMatchObject({ body: { kind: "photo" } });
  });
});

const DOCS = { document: ["requirements"], photo: [] };

describe("an upload in parts (a file longer than the server's part_size)", () => {
  it("sends only the parts the store does not hold, as slices of the file, then completes", async () => {
    vi.stubGlobal("XMLHttpRequest", FakeXhr);
    const post = partsGateway([[1]]);
    const steps: unknown[] = [];
    const file = new File(["0123456789"], "scan.pdf", { type: "application/pdf" });
    await uploadFile("o1", file, "requirements", DOCS, (s) => steps.push(s), { clientKey: "queue-7" });
    expect(post.mock.calls[0]?.[1]).toMatchObject({ body: { client_key: "queue-7", size: 10 } });
    expect(puts.map((p) => p.url).sort()).toEqual(["https://s3.example/p2", "https://s3.example/p3"]);
    const bodies = Object.fromEntries(await Promise.all(puts.map(async (p) => [p.url, await text(p.body)])));
    expect(bodies).toEqual({ "https://s3.example/p2": "4567", "https://s3.example/p3": "89" });
    expect(puts.every((p) => p.type === undefined)).toBe(true);
    expect(post.mock.calls.at(-1)?.[0]).toBe("/api/v1/media/{media_id}/complete");
    expect(steps).toContainEqual({ step: "uploading", pct: 40 }); // part 1, held, counts as sent
    expect(steps).toContainEqual({ step: "uploading", pct: 100 });
  });

  it("after a cut asks again what is held and resends only the part that was cut", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout"] });
    vi.stubGlobal("XMLHttpRequest", FakeXhr);
    cut.add("https://s3.example/p2");
    partsGateway([[], [1, 3]]);
    const file = new File(["0123456789"], "scan.pdf", { type: "application/pdf" });
    const done = uploadDocument("o1", file, "requirements");
    await vi.runAllTimersAsync();
    await done;
    vi.useRealTimers();
    expect(puts.map((p) => p.url)).toEqual([
      "https://s3.example/p1",
      "https://s3.example/p2",
      "https://s3.example/p3",
      "https://s3.example/p2",
    ]);
  });

  it("gives up, backing off, when the store keeps refusing a part, rather than loop forever", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout"] });
    vi.stubGlobal("XMLHttpRequest", FakeXhr);
    refused.add("https://s3.example/p2");
    const post = partsGateway([[], [1, 3]]);
    const file = new File(["0123456789"], "scan.pdf", { type: "application/pdf" });
    const steps: unknown[] = [];
    const failed = uploadFile("o1", file, "requirements", DOCS, (s) => steps.push(s)).catch((e: unknown) => e);
    await vi.runAllTimersAsync();
    const err = await failed;
    vi.useRealTimers();
    expect(err).toMatchObject({ reason: "put_failed", params: { status: 403 } });
    expect(steps).toContainEqual({ step: "retrying", n: 1, max: 5, s: 1 });
    expect(post.mock.calls.some((c) => c[0] === "/api/v1/media/{media_id}/complete")).toBe(false);
  });

  it("takes a file the server already verified under this client key as done", async () => {
    const post = vi.spyOn(api, "POST").mockImplementation(((path: string) =>
      path === "/api/v1/orders/{order_id}/media"
        ? Promise.resolve({
            error: { code: "already_ready", detail: "this upload is already ready", media_id: "m9" },
            response: new Response(null, { status: 409 }),
          })
        : answer({ media_id: "m9", status: "ready" })) as never);
    const file = new File(["0123456789"], "scan.pdf", { type: "application/pdf" });
    const item = await uploadFile("o1", file, "requirements", DOCS, () => undefined, { clientKey: "k" });
    expect(item).toMatchObject({ media_id: "m9" });
    expect(post.mock.calls[1]?.[1]).toMatchObject({ params: { path: { media_id: "m9" } } });
  });

  it("declares the file again when the server says its upload expired", async () => {
    let declared = 0;
    vi.spyOn(api, "POST").mockImplementation(((path: string) => {
      if (path === "/api/v1/orders/{order_id}/media") {
        declared += 1;
        return answer({ media_id: "m1", upload_url: "u", part_size: 4, part_count: 3 });
      }
      if (path === "/api/v1/media/{media_id}/parts" && declared === 1)
        return Promise.resolve({ error: { code: "upload_expired" }, response: new Response(null, { status: 409 }) });
      if (path === "/api/v1/media/{media_id}/parts")
        return answer({ held: [1, 2, 3].map((n) => ({ number: n, size: n === 3 ? 2 : 4 })), parts: [] });
      return answer({ media_id: "m1", status: "ready" });
    }) as never);
    const file = new File(["0123456789"], "scan.pdf", { type: "application/pdf" });
    await uploadDocument("o1", file, "requirements");
    expect(declared).toBe(2);
  });
});
