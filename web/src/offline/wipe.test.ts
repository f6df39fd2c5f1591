// The wipe after a deactivation (issue 15): the `oms-` IndexedDB databases, the data caches
// (not the app's precached shell), the app's storage keys (not the language); the count of
// unsent items when the offline queue tells it.
import "fake-indexeddb/auto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { countUnsentWith, wipeLocalData } from "./wipe";

function createDatabase(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(name, 1);
    open.onupgradeneeded = () => open.result.createObjectStore("items");
    open.onsuccess = () => {
      open.result.close();
      resolve();
    };
    open.onerror = () => reject(open.error);
  });
}

async function databaseNames(): Promise<string[]> {
  return (await indexedDB.databases()).map((d) => d.name ?? "").sort();
}

/** Cache Storage as the browser's (jsdom has none): names only, which is all the wipe reads. */
function cacheStorage(names: string[]): { names: Set<string> } {
  const held = new Set(names);
  vi.stubGlobal("caches", {
    keys: async () => [...held],
    delete: async (name: string) => held.delete(name),
  });
  return { names: held };
}

describe("wipeLocalData", () => {
  beforeEach(async () => {
    for (const name of await databaseNames()) indexedDB.deleteDatabase(name);
    localStorage.clear();
    sessionStorage.clear();
    countUnsentWith(null);
  });
  afterEach(() => vi.unstubAllGlobals());

  it("deletes the app's databases, data caches and keys, and nothing else", async () => {
    await createDatabase("oms-test");
    await createDatabase("oms-queue");
    await createDatabase("someone-else");
    const cache = cacheStorage(["workbox-precache-v2-http://x/", "oms-photos", "api-data"]);
    localStorage.setItem("oms.lang", "en");
    localStorage.setItem("oms.draft", "{}");
    localStorage.setItem("oms-queue-cursor", "7");
    localStorage.setItem("other.site", "1");
    sessionStorage.setItem("oms.token", "t1");

    const wiped = await wipeLocalData();

    expect(wiped.databases.sort()).toEqual(["oms-queue", "oms-test"]);
    expect(await databaseNames()).toEqual(["someone-else"]);
    expect([...cache.names]).toEqual(["workbox-precache-v2-http://x/"]); // the shell stays
    expect(wiped.caches.sort()).toEqual(["api-data", "oms-photos"]);
    expect(localStorage.getItem("oms.lang")).toBe("en"); // the sign-in form's language
    expect(localStorage.getItem("oms.draft")).toBeNull();
    expect(localStorage.getItem("oms-queue-cursor")).toBeNull();
    expect(localStorage.getItem("other.site")).toBe("1");
    expect(sessionStorage.getItem("oms.token")).toBeNull();
    expect(wiped.discarded).toBeNull(); // nobody said how many were unsent
  });

  it("reports the unsent items the queue counted, and wipes even when counting fails", async () => {
    cacheStorage([]);
    countUnsentWith(async () => 4);
    expect((await wipeLocalData()).discarded).toBe(4);

    await createDatabase("oms-test");
    countUnsentWith(async () => {
      throw new Error("queue unreadable");
    });
    const wiped = await wipeLocalData();
    expect(wiped.discarded).toBeNull();
    expect(await databaseNames()).toEqual([]);
  });

  it("goes on when a database is held open elsewhere", { timeout: 15_000 }, async () => {
    cacheStorage([]);
    const held = await new Promise<IDBDatabase>((resolve) => {
      const open = indexedDB.open("oms-held", 1);
      open.onsuccess = () => resolve(open.result); // never closed, no versionchange handler
    });
    const wiped = await wipeLocalData(); // after the blocked wait, not forever
    expect(wiped.databases).toEqual(["oms-held"]);
    held.close(); // the queued deletion completes now
    await vi.waitFor(async () => expect(await databaseNames()).toEqual([]));
  });
});
