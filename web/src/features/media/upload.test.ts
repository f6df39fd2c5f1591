import { afterEach, describe, expect, it, vi } from "vitest";
import { api } from "../../api/client";
import { uploadDocument, uploadFile } from "./upload";

// The three steps without a network: the gateway's two POSTs answered here, the PUT taken by
// a stand-in XMLHttpRequest that records what it was sent.
const puts: { url: string; type: string | undefined; body: unknown }[] = [];
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
});

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
