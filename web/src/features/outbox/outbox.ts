// The outbox: work made on the phone (photos, a measurement's results, "done", check-in and
// check-out) kept in IndexedDB until the server has it. Sent when the network returns (the
// `online` event, and a periodic try: a phone in a basement often says "online" with no
// route out) and when the app opens — iOS has no background sync, so there is no service
// worker job for it. Each item is sent in the order it was made, once: its key (the
// Idempotency-Key, or the media client_key) makes a repeat after a lost answer harmless.
//
// States: waiting (for the network, or for its turn) → sending (n %) → sent; or refused (the
// server said no: its reason shown, the user retries or discards it). An item the server
// could not be reached for goes back to waiting and stops the run: what comes after it waits
// (FIFO — "done" must not overtake the photos its gate needs). A refused item steps out of
// the line, so one bad photo does not hold the rest. A session that has ended keeps all the
// work and asks for sign-in; the run resumes after it.
import { db, type ItemState, type NewItem, type OutboxItem } from "./store";

export type Outcome =
  | { kind: "sent"; mediaId?: string }
  | { kind: "retry" } // no network, a timeout, a busy or failing server: try again later
  | { kind: "refused"; code: string; message: string }
  | { kind: "signin" }; // the session has ended: keep everything, ask the person to sign in

export type Sender = (item: OutboxItem, onProgress: (pct: number) => void) => Promise<Outcome>;

const listeners = new Set<() => void>();
let needsSignIn = false;
let running: Promise<void> | null = null;
// Sent items are shown for a while ("отправлено"), then forgotten.
const KEEP_SENT_MS = 24 * 60 * 60 * 1000;

function changed(): void {
  for (const listener of listeners) listener();
}

export function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export const signInNeeded = (): boolean => needsSignIn;

function newKey(): string {
  // randomUUID exists only in secure contexts; a phone on the office LAN over HTTP is not one.
  return typeof crypto !== "undefined" && "randomUUID" in crypto
    ? crypto.randomUUID()
    : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;
}

/** A fresh idempotency key for a new item. */
export const itemKey = (): string => newKey();

/** Keep an item. The same key twice is the same item (a double tap stores one). */
export async function enqueue(item: NewItem, now = new Date()): Promise<OutboxItem> {
  const database = await db();
  const tx = database.transaction("outbox", "readwrite");
  const earlier = await tx.store.index("by_key").get(item.key);
  if (earlier) {
    await tx.done;
    return earlier;
  }
  const full = { ...item, state: "waiting", createdAt: now.toISOString() } as OutboxItem;
  const seq = await tx.store.add(full);
  await tx.done;
  changed();
  return { ...full, seq };
}

/** Everything, oldest first. */
export async function list(): Promise<OutboxItem[]> {
  return (await db()).getAll("outbox");
}

/** How many items the server does not have yet (waiting, sending or refused): the sign-out
 * wipe asks this before it deletes the phone's data. */
export async function queuedCount(): Promise<number> {
  return (await list()).filter((item) => item.state !== "sent").length;
}

async function update(seq: number, patch: Partial<OutboxItem>): Promise<void> {
  const database = await db();
  const tx = database.transaction("outbox", "readwrite");
  const item = await tx.store.get(seq);
  if (item) await tx.store.put({ ...item, ...patch } as OutboxItem);
  await tx.done;
  changed();
}

/** A refused item tried again: back in the line at its own place. */
export async function retry(seq: number): Promise<void> {
  await update(seq, { state: "waiting", refusal: undefined, progress: undefined });
}

/** A refused (or waiting) item given up by the person who made it. */
export async function discard(seq: number): Promise<void> {
  await (await db()).delete("outbox", seq);
  changed();
}

async function forgetOldSent(now: Date): Promise<void> {
  const database = await db();
  for (const item of await database.getAll("outbox")) {
    const at = item.sentAt ? new Date(item.sentAt).getTime() : NaN;
    if (item.state === "sent" && item.seq !== undefined && now.getTime() - at > KEEP_SENT_MS) {
      await database.delete("outbox", item.seq);
    }
  }
}

async function run(send: Sender, now: () => Date): Promise<void> {
  await forgetOldSent(now());
  // Read one at a time: an item enqueued during the run is sent in the same run, in order.
  for (let after = 0; ; ) {
    const database = await db();
    const next = await database.getAll("outbox", IDBKeyRange.lowerBound(after, true), 1);
    const item = next[0];
    if (!item || item.seq === undefined) return;
    after = item.seq;
    // "sending" left by a closed app is sent again: the key makes that harmless.
    if (item.state === "sent" || item.state === "refused") continue;
    const seq = item.seq;
    await update(seq, { state: "sending", progress: 0 });
    let outcome: Outcome;
    try {
      outcome = await send(item, (pct) => void update(seq, { progress: pct }));
    } catch {
      outcome = { kind: "retry" };
    }
    const state: Record<Outcome["kind"], ItemState> = { sent: "sent", retry: "waiting", refused: "refused", signin: "waiting" };
    const patch: Partial<OutboxItem> = { state: state[outcome.kind], progress: undefined };
    if (outcome.kind === "sent") {
      patch.sentAt = now().toISOString();
      if (item.type === "photo") Object.assign(patch, { blob: null, mediaId: outcome.mediaId });
    }
    if (outcome.kind === "refused") patch.refusal = { code: outcome.code, message: outcome.message };
    await update(seq, patch);
    if (outcome.kind === "signin") {
      needsSignIn = true;
      changed();
      return;
    }
    if (outcome.kind === "retry") return; // FIFO: nothing overtakes an item still to send
  }
}

/** Send what waits, in order; one run at a time (a second call joins the running one), and
 * one tab at a time (Web Locks: a tab that finds another sending leaves it to that one). */
export function flush(send: Sender, now: () => Date = () => new Date()): Promise<void> {
  if (!running) {
    needsSignIn = false;
    const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
    const once = locks
      ? locks.request("oms-outbox", { ifAvailable: true }, (lock) => (lock ? run(send, now) : undefined))
      : run(send, now);
    running = Promise.resolve(once).then(() => undefined).finally(() => {
      running = null;
      changed();
    });
  }
  return running;
}

/** Send on start, whenever the network returns, and every `everyMs` in between. */
export function startSending(send: Sender, everyMs = 20_000): () => void {
  const go = (): void => void flush(send).catch(() => undefined);
  go();
  window.addEventListener("online", go);
  const timer = window.setInterval(go, everyMs);
  return () => {
    window.removeEventListener("online", go);
    window.clearInterval(timer);
  };
}
