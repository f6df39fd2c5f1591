// Drives gateway/web/js/realtime.js in Node with a fake fetch (see test_web_realtime.py):
// a stream that ends with `event: reauth`, then the reconnect. Prints what was sent and
// what the app was told, as JSON, for the Python test to check.
const store = new Map([["oms.token", "old-token"]]);
globalThis.sessionStorage = {
  getItem: (k) => (store.has(k) ? store.get(k) : null),
  setItem: (k, v) => store.set(k, String(v)),
  removeItem: (k) => store.delete(k),
};
globalThis.location = { origin: "http://app.test" };
const listeners = {};
globalThis.window = {
  dispatchEvent: (e) => (listeners[e.type] || []).forEach((f) => f(e)),
  addEventListener: (t, f) => (listeners[t] = [...(listeners[t] || []), f]),
};
globalThis.document = {
  visibilityState: "visible",
  addEventListener: () => {},
  removeEventListener: () => {},
};
globalThis.CustomEvent = class { constructor(type) { this.type = type; } };

const scenario = process.argv[2];
const requests = [];
const told = [];
let expired = 0;
window.addEventListener("auth:expired", () => expired++);

function sse(text) {
  return new Response(new ReadableStream({
    async start(controller) {
      controller.enqueue(new TextEncoder().encode(text));
      await new Promise((r) => setTimeout(r, 2100)); // a stream that lived a while
      controller.close();
    },
  }), { headers: { "content-type": "text/event-stream" } });
}

globalThis.fetch = async (url, init) => {
  requests.push({ url: String(url), headers: init.headers });
  if (requests.length === 1) {
    return sse(
      'event: ready\ndata: {"seq": 5, "cursor": "5.3"}\nid: 5.3\n\n' +
      'event: board\ndata: {"seq": 6, "order_id": "o1"}\nid: 6.3\n\n' +
      'event: reauth\ndata: {"reason": "token_expired", "cursor": "6.3"}\n\n');
  }
  if (scenario === "expired") return new Response("{}", { status: 401 });
  return sse('event: ready\ndata: {"seq": 6, "cursor": "6.3"}\nid: 6.3\n\n');
};

const { session } = await import("../../gateway/web/js/state.js");
const realtime = await import("../../gateway/web/js/realtime.js");
session.user = { id: "u1" };
store.set("oms.token", "old-token");
realtime.startRealtime((event) => {
  told.push(event.type);
  if (event.type === "reauth") store.set("oms.token", "fresh-token"); // signed in meanwhile
});
await new Promise((r) => setTimeout(r, 3000));
realtime.stopRealtime();
if (scenario === "expired") {
  // Signed in again as the same user: the stream resumes where it stopped.
  requests.length = 1;
  store.set("oms.token", "relogin-token");
  globalThis.fetch = async (url, init) => {
    requests.push({ url: String(url), headers: init.headers });
    return sse("");
  };
  realtime.startRealtime(() => {});
  await new Promise((r) => setTimeout(r, 100));
  realtime.stopRealtime();
}
console.log(JSON.stringify({ requests, told, expired, token: store.get("oms.token") ?? null }));
process.exit(0);
