// The outbox as React state: its items (re-read on every change) and whether sign-in is
// needed before it can go on.
import { useEffect, useState } from "react";
import { list, signInNeeded, subscribe } from "./outbox";
import type { OutboxItem } from "./store";

export function useOutbox(): { items: OutboxItem[]; signIn: boolean } {
  const [items, setItems] = useState<OutboxItem[]>([]);
  const [signIn, setSignIn] = useState(signInNeeded());
  useEffect(() => {
    let live = true;
    let again = false;
    let reading = false;
    // Progress changes come fast: one read at a time, one more if something changed meanwhile.
    const read = (): void => {
      if (reading) {
        again = true;
        return;
      }
      reading = true;
      list()
        .then((found) => live && setItems(found))
        .catch(() => undefined)
        .finally(() => {
          reading = false;
          if (live) setSignIn(signInNeeded());
          if (again && live) {
            again = false;
            read();
          }
        });
    };
    read();
    const stop = subscribe(read);
    return () => {
      live = false;
      stop();
    };
  }, []);
  return { items, signIn };
}
