// Live updates. EventSource cannot send an Authorization header, so the SSE stream is read
// with fetch() and a stream reader. When the stream endpoint is absent (404) or keeps
// failing, we fall back to polling every 15 s; polling pauses while the tab is hidden to
// spare phone batteries and data.
// The server closes the stream with `event: reauth` when the token expires, the user is
// deactivated or their role changes; we reconnect at once with the token we hold now and
// Last-Event-ID (a cursor over board changes and notifications), so nothing is missed. A 401
// then means signing in again: after that, the same user's stream resumes where it stopped.
import { authHeaders, token } from "./api.js";
import { session } from "./state.js";

const POLL_MS = 15000;
let onChange = () => {};
let pollTimer = 0;
let controller = null;
let streaming = false;
let stopped = true;
let lastId = ""; // resume after a drop without missing changes (SSE Last-Event-ID)
let lastIdOwner = ""; // whose stream lastId belongs to: never resume another user's

const ownerNow = () => (session.user && session.user.id) || "";

export function startRealtime(callback) {
  onChange = callback;
  stopped = false;
  if (ownerNow() !== lastIdOwner) lastId = "";
  lastIdOwner = ownerNow();
  connect(0);
  document.addEventListener("visibilitychange", onVisibility);
}

export function stopRealtime() {
  stopped = true;
  // lastId is kept: when the same user signs in again (their token expired), the stream
  // resumes from it; startRealtime drops it for anyone else.
  if (controller) controller.abort();
  clearInterval(pollTimer);
  pollTimer = 0;
  document.removeEventListener("visibilitychange", onVisibility);
}

function onVisibility() {
  // Coming back to the tab: catch up at once instead of waiting for the next tick.
  if (document.visibilityState === "visible" && !stopped) onChange({ type: "resume" });
}

function startPolling() {
  if (pollTimer) return;
  pollTimer = setInterval(() => {
    if (document.visibilityState === "visible") onChange({ type: "poll" });
  }, POLL_MS);
}

function stopPolling() {
  clearInterval(pollTimer);
  pollTimer = 0;
}

async function connect(failures) {
  if (stopped) return;
  controller = new AbortController();
  let reply;
  try {
    const resume = lastId ? { "Last-Event-ID": lastId } : {};
    reply = await fetch("/api/v1/events/stream", {
      headers: { Accept: "text/event-stream", ...resume, ...authHeaders() },
      signal: controller.signal,
    });
  } catch {
    reply = null;
  }
  if (stopped) return;
  const isStream = reply && reply.ok && reply.body &&
    (reply.headers.get("content-type") || "").includes("text/event-stream");
  if (!isStream) {
    if (reply && reply.status === 401) {
      // The token expired or the user was deactivated: sign in again (main.js listens).
      token.clear();
      window.dispatchEvent(new CustomEvent("auth:expired"));
      return;
    }
    startPolling();
    // Not deployed (404/405): poll for the rest of the session. Other failures: try the
    // stream again later, polling meanwhile.
    if (reply && (reply.status === 404 || reply.status === 405)) return;
    setTimeout(() => connect(failures + 1), backoff(failures));
    return;
  }
  streaming = true;
  const openedAt = Date.now();
  stopPolling();
  onChange({ type: "connected" }); // we may have missed events while disconnected
  let reauth = false;
  try {
    await readEvents(reply.body, (event) => {
      if (event.type === "reauth") reauth = true;
      onChange(event);
    });
  } catch {
    // network drop or abort: handled below
  }
  streaming = false;
  if (stopped) return;
  // At once after a reauth: authorised again as who we are now, resuming from lastId. Not
  // when a stream is closed as soon as it opens (the server cannot check us): back off.
  if (reauth && Date.now() - openedAt > 2000) {
    connect(0);
    return;
  }
  startPolling();
  setTimeout(() => connect(0), backoff(failures));
}

const backoff = (n) => Math.min(60000, 2000 * 2 ** Math.min(n, 5));

/** Parse a text/event-stream body: blocks separated by a blank line, `event:`/`data:` lines. */
async function readEvents(body, emit) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let cut;
    while ((cut = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut).replace(/^\r?\n\r?\n/, "");
      const event = parseBlock(block);
      if (event) emit(event);
    }
  }
}

function parseBlock(block) {
  let type = "message";
  const data = [];
  for (const line of block.split(/\r?\n/)) {
    if (line.startsWith(":")) continue; // keep-alive comment
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") type = value;
    else if (field === "data") data.push(value);
    else if (field === "id") lastId = value;
  }
  if (!data.length && type === "message") return null;
  let payload = data.join("\n");
  try {
    payload = JSON.parse(payload);
  } catch {
    // plain-text data is fine
  }
  return { type, data: payload };
}

export const isStreaming = () => streaming;
