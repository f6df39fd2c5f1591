// Live updates for the signed-in user: board changes, chat, notifications.
// EventSource cannot send an Authorization header, so the stream is read with fetch() and a
// reader. When it is absent or keeps failing we poll (a `poll` event every 15 s, paused while
// the tab is hidden to spare phone batteries). The server ends the stream with `reauth` when
// the token expires, the session ends or the user's role changes: we reconnect at once with
// a fresh token (refreshing the session first when the old one expired) and Last-Event-ID
// (a cursor over board changes and notifications), so nothing is missed. A 401 gets one
// refresh; refused, the user is asked to sign in.
// Components subscribe in an effect and unsubscribe in its clean-up.
import { codeOf, session, USER_DEACTIVATED } from "../api/session";
import { SseBuffer, type StreamEvent } from "./sse";

export type { StreamEvent };
type Listener = (event: StreamEvent) => void;

const POLL_MS = 15000;
const backoff = (n: number): number => Math.min(60000, 2000 * 2 ** Math.min(n, 5));

export class LiveStream {
  private listeners = new Set<Listener>();
  private controller: AbortController | null = null;
  private pollTimer: ReturnType<typeof setInterval> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private stopped = true;
  private lastId = "";
  private owner = "";
  streaming = false;

  constructor(
    private readonly url = "/api/v1/events/stream",
    private readonly fetcher: typeof fetch = (...args) => fetch(...args),
  ) {}

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Start for `userId`; a different user never resumes another's cursor. */
  start(userId: string): void {
    if (!this.stopped) return;
    this.stopped = false;
    if (userId !== this.owner) this.lastId = "";
    this.owner = userId;
    document.addEventListener("visibilitychange", this.onVisibility);
    void this.connect(0);
  }

  stop(): void {
    this.stopped = true;
    this.controller?.abort();
    this.stopPolling();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    document.removeEventListener("visibilitychange", this.onVisibility);
  }

  private emit(event: StreamEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private onVisibility = (): void => {
    // Back to the tab: catch up at once instead of waiting for the next tick.
    if (document.visibilityState === "visible" && !this.stopped) this.emit({ type: "resume", data: null });
  };

  private startPolling(): void {
    if (this.pollTimer) return;
    this.pollTimer = setInterval(() => {
      if (document.visibilityState === "visible") this.emit({ type: "poll", data: null });
    }, POLL_MS);
  }

  private stopPolling(): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
  }

  private async connect(failures: number, refreshed = false): Promise<void> {
    if (this.stopped) return;
    this.controller = new AbortController();
    let reply: Response | null;
    try {
      const headers: Record<string, string> = { Accept: "text/event-stream" };
      const token = await session.fresh();
      if (token) headers.Authorization = `Bearer ${token}`;
      if (this.lastId) headers["Last-Event-ID"] = this.lastId;
      reply = await this.fetcher(this.url, { headers, signal: this.controller.signal });
    } catch {
      reply = null;
    }
    if (this.stopped) return;
    const isStream =
      reply?.ok && reply.body && (reply.headers.get("content-type") ?? "").includes("text/event-stream");
    if (!isStream || !reply?.body) {
      if (reply?.status === 401 && (await codeOf(reply)) === USER_DEACTIVATED) {
        session.expired("deactivated"); // no refresh helps: the app wipes this device
        return;
      }
      if (reply?.status === 401) {
        // Once: a refreshed token that is refused too means the session has ended.
        const renewed = refreshed ? null : await session.refresh().catch(() => null);
        if (this.stopped) return;
        if (renewed) void this.connect(failures, true);
        else session.expired();
        return;
      }
      this.startPolling();
      if (reply && (reply.status === 404 || reply.status === 405)) return;
      this.retryTimer = setTimeout(() => void this.connect(failures + 1), backoff(failures));
      return;
    }
    this.streaming = true;
    const openedAt = Date.now();
    this.stopPolling();
    this.emit({ type: "connected", data: null }); // we may have missed events while away
    let reauth = false;
    try {
      const reader = reply.body.pipeThrough(new TextDecoderStream()).getReader();
      const buffer = new SseBuffer();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const event of buffer.push(value)) {
          if (event.id) this.lastId = event.id;
          if (event.type === "reauth") {
            reauth = true;
            const reason = (event.data as { reason?: string } | null)?.reason;
            if (reason === "token_expired") session.stale(); // refresh before reconnecting
          }
          this.emit(event);
        }
      }
    } catch {
      // a network drop or our own abort: handled below
    }
    this.streaming = false;
    if (this.stopped) return;
    // At once after a reauth, but not when a stream closes as soon as it opens (the server
    // cannot check us): back off then.
    if (reauth && Date.now() - openedAt > 2000) {
      void this.connect(0);
      return;
    }
    this.startPolling();
    this.retryTimer = setTimeout(() => void this.connect(0), backoff(failures));
  }
}

/** The app's one stream. */
export const live = new LiveStream();
