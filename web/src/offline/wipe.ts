// Wiping what this device keeps of the app (issue 15): run when the gateway answers
// `user_deactivated`, i.e. the account was switched off and the phone may be in the wrong hands.
// Gone: every IndexedDB database named `oms-...` (the offline queue and the crew's data,
// unsent work included: the server would refuse it from a deactivated user anyway), the Cache
// Storage caches of data (every cache but Workbox's precache of the app's own files, which
// hold nothing of the user's), and the app's keys in localStorage and sessionStorage (`oms.`
// and `oms-`), except the chosen language, which the sign-in form goes on speaking.
// A revoked session is not this: it keeps everything and asks to sign in again.

const DB_PREFIX = "oms-";
const KEY_PREFIXES = ["oms.", "oms-"];
const KEPT_KEYS = new Set(["oms.lang"]);
const SHELL_CACHE_PREFIX = "workbox-precache";
// A database another connection keeps open cannot be deleted until that connection closes;
// after this long the wipe goes on (the deletion stays queued and finishes when it closes,
// at the latest when the page reloads).
const BLOCKED_WAIT_MS = 3000;

export type Wiped = {
  databases: string[];
  caches: string[];
  /** Unsent items discarded with the data, when the offline queue could tell; else null. */
  discarded: number | null;
};

type UnsentCounter = () => Promise<number>;
let unsentCounter: UnsentCounter | null = null;

/** The offline queue tells how many items are unsent, for the message after a wipe. */
export function countUnsentWith(counter: UnsentCounter | null): void {
  unsentCounter = counter;
}

function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(name);
    const timer = { id: undefined as ReturnType<typeof setTimeout> | undefined };
    const done = (): void => {
      clearTimeout(timer.id);
      resolve();
    };
    request.onsuccess = done;
    request.onerror = done;
    request.onblocked = () => {
      timer.id = setTimeout(done, BLOCKED_WAIT_MS);
    };
  });
}

async function wipeDatabases(): Promise<string[]> {
  if (typeof indexedDB === "undefined" || typeof indexedDB.databases !== "function") return [];
  const names = (await indexedDB.databases())
    .map((db) => db.name ?? "")
    .filter((name) => name.startsWith(DB_PREFIX));
  await Promise.all(names.map(deleteDatabase));
  return names;
}

async function wipeCaches(): Promise<string[]> {
  if (typeof caches === "undefined") return [];
  const names = (await caches.keys()).filter((name) => !name.startsWith(SHELL_CACHE_PREFIX));
  await Promise.all(names.map((name) => caches.delete(name)));
  return names;
}

function wipeStorage(storage: Storage): void {
  const keys: string[] = [];
  for (let i = 0; i < storage.length; i++) {
    const key = storage.key(i);
    if (key && KEY_PREFIXES.some((p) => key.startsWith(p)) && !KEPT_KEYS.has(key)) keys.push(key);
  }
  for (const key of keys) storage.removeItem(key);
}

async function countUnsent(): Promise<number | null> {
  if (!unsentCounter) return null;
  try {
    return await unsentCounter();
  } catch {
    return null; // the count is for the message only: the wipe goes on
  }
}

/** Delete everything of the user's this device keeps (see above); what went, and how many
 * unsent items with it when known. Each part is wiped even when another fails. */
export async function wipeLocalData(): Promise<Wiped> {
  const discarded = await countUnsent();
  wipeStorage(localStorage);
  wipeStorage(sessionStorage);
  const [databases, cacheNames] = await Promise.all([
    wipeDatabases().catch(() => []),
    wipeCaches().catch(() => []),
  ]);
  return { databases, caches: cacheNames, discarded };
}
