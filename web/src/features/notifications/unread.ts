// The unread count in the store (the bell in the top bar shows it), kept current: read when
// the app starts and whenever the stream says something may have changed (`notification`,
// and `connected`/`poll`/`resume` after a gap). Failures are silent: the bell is secondary.
import { useEffect } from "react";
import { api, ok } from "../../api/client";
import { live } from "../../realtime/stream";
import { useApp } from "../../store/app";

const REFRESH_ON = new Set(["notification", "connected", "poll", "resume"]);

let inFlight: AbortController | null = null;

/** Ask the server for the unread count now (e.g. after marking one read). */
export async function refreshUnread(): Promise<void> {
  inFlight?.abort();
  const controller = new AbortController();
  inFlight = controller;
  try {
    const unread = await ok(api.GET("/api/v1/notifications", { params: { query: { unread: true } }, signal: controller.signal }));
    if (!controller.signal.aborted) useApp.getState().setUnread(unread.length);
  } catch {
    // keep the last known count
  } finally {
    if (inFlight === controller) inFlight = null;
  }
}

/** Mount once in the shell (the top bar) while signed in. */
export function useUnreadCount(): void {
  const userId = useApp((s) => s.me?.id);
  useEffect(() => {
    if (!userId) return;
    void refreshUnread();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unsubscribe = live.subscribe((event) => {
      if (!REFRESH_ON.has(event.type)) return;
      clearTimeout(timer); // a burst of notifications: one read
      timer = setTimeout(() => void refreshUnread(), 300);
    });
    return () => {
      clearTimeout(timer);
      unsubscribe();
      inFlight?.abort();
    };
  }, [userId]);
}
