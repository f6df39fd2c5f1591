// Hash routes whose query stays in the hash: `#/board?q=Иванов&overdue=1`. wouter's own hash
// hook matches routes against the whole hash (so `/board?q=…` matched no route) and writes a
// query into location.search instead; here the path and the query are split, so a screen keeps
// its filters in its own link, a reload keeps them, and useSearch() reads them.
import { useSyncExternalStore } from "react";

const listeners = new Set<() => void>();
const notify = (): void => listeners.forEach((listener) => listener());

function subscribe(listener: () => void): () => void {
  if (listeners.size === 0) addEventListener("hashchange", notify);
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) removeEventListener("hashchange", notify);
  };
}

/** "#/board?q=x" → ["/board", "q=x"]. */
export function splitHash(hash: string): [string, string] {
  const full = "/" + hash.replace(/^#?\/?/, "");
  const cut = full.indexOf("?");
  return cut < 0 ? [full, ""] : [full.slice(0, cut), full.slice(cut + 1)];
}

const currentPath = (): string => splitHash(location.hash)[0];
const currentSearch = (): string => splitHash(location.hash)[1];

export function navigateHash(to: string, { replace = false }: { replace?: boolean } = {}): void {
  const target = "#/" + to.replace(/^#?\/?/, "");
  if (target === location.hash) return;
  const oldURL = location.href;
  history[replace ? "replaceState" : "pushState"](null, "", target);
  dispatchEvent(new HashChangeEvent("hashchange", { oldURL, newURL: location.href }));
}

/** wouter's `hook` for <Router>: the hash's path; its query through `searchHook`. */
export function useHashPath(): [string, typeof navigateHash] {
  return [useSyncExternalStore(subscribe, currentPath), navigateHash];
}
useHashPath.searchHook = (): string => useSyncExternalStore(subscribe, currentSearch);
useHashPath.hrefs = (href: string): string => "#" + href;
