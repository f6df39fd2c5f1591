// A crew's schedule for the shown range, kept equal to the server: loaded on every range
// change, again after every change made here (`reload`), and when the live stream says a
// visit changed or asks to catch up. The previous data stays on screen while a reload runs.
import { useCallback, useEffect, useState } from "react";
import { live } from "../../realtime/stream";
import { loadCalendar, orderNumbers } from "./api";
import { isVisit, type CrewRole, type Entry, type Range } from "./model";

export type CrewCalendarData = {
  entries: Entry[] | null;
  numbers: Map<string, number | null>;
  loading: boolean;
  error: unknown;
  reload: () => void;
};

const CATCH_UP = new Set(["connected", "poll", "resume"]);

export function useCrewCalendar(role: CrewRole, range: Range): CrewCalendarData {
  const [entries, setEntries] = useState<Entry[] | null>(null);
  const [numbers, setNumbers] = useState<Map<string, number | null>>(new Map());
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  const from = range.from.getTime();
  const to = range.to.getTime();

  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    loadCalendar(role, { from: new Date(from), to: new Date(to) }, controller.signal)
      .then(async (fresh) => {
        setEntries(fresh);
        setError(null);
        setLoading(false);
        const ids = fresh.flatMap((e) => e.busy.filter(isVisit).map((b) => b.order_id ?? ""));
        const known = await orderNumbers(ids, controller.signal);
        if (!controller.signal.aborted) setNumbers(known);
      })
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        setError(err);
        setLoading(false);
      });
    return () => controller.abort();
  }, [role, from, to, tick]);

  // A role switch shows nothing stale from the other crew.
  useEffect(() => setEntries(null), [role]);

  useEffect(
    () =>
      live.subscribe((event) => {
        const type = (event.data as { type?: unknown } | null)?.type;
        if (CATCH_UP.has(event.type) || (event.type === "board" && typeof type === "string" && type.startsWith("Visit"))) {
          reload();
        }
      }),
    [reload],
  );

  return { entries, numbers, loading, error, reload };
}
