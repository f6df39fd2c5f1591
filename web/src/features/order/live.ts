// Refetch what a screen shows when the live stream says something changed. Bursts (a robot
// moving an order writes several events) are gathered into one refetch; `connected`, `poll`
// and `resume` mean "we may have missed something", so they always refetch.
import { useEffect, useRef } from "react";
import { live, type StreamEvent } from "../../realtime/stream";

const CATCH_UP = new Set(["connected", "poll", "resume"]);

/** The order an event is about, if it names one. */
export function orderOf(event: StreamEvent): string | null {
  const data = event.data;
  if (data && typeof data === "object" && "order_id" in data) {
    const id = (data as { order_id?: unknown }).order_id;
    return typeof id === "string" && id ? id : null;
  }
  return null;
}

/** Does `event` concern a view that listens to `types` (optionally for one order)? */
export function concerns(event: StreamEvent, types: readonly string[], orderId?: string): boolean {
  if (CATCH_UP.has(event.type)) return true;
  if (!types.includes(event.type)) return false;
  return orderId === undefined || orderOf(event) === orderId;
}

/**
 * Call `refetch` (debounced by `delayMs`) when an event of `types` arrives (for `orderId`
 * when given) or the stream catches up. Unsubscribes and cancels a pending call on unmount.
 */
export function useLiveRefetch(
  types: readonly string[],
  refetch: () => void,
  orderId?: string,
  delayMs = 300,
): void {
  const latest = useRef(refetch);
  useEffect(() => {
    latest.current = refetch;
  });
  const key = types.join(",");
  useEffect(() => {
    const kinds = key.split(",");
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unsubscribe = live.subscribe((event) => {
      if (!concerns(event, kinds, orderId)) return;
      clearTimeout(timer);
      timer = setTimeout(() => latest.current(), delayMs);
    });
    return () => {
      clearTimeout(timer);
      unsubscribe();
    };
  }, [key, orderId, delayMs]);
}
