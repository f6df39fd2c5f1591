// The phone's own database: the outbox (work made without signal, waiting to be sent) and the
// last known list of the crew member's visits (the today screen opens offline with it).
// `idb` (Jake Archibald's small promise wrapper over IndexedDB, ~1 kB), not Dexie: we need two
// stores, one index and plain transactions, none of Dexie's query language or live queries;
// `idb` keeps IndexedDB's own model, so what the code does is what the browser does.
// The name starts with "oms-": the sign-out wipe deletes every database named so.
import { openDB, type DBSchema, type IDBPDatabase } from "idb";

export const DB_NAME = "oms-field";

export type ItemState = "waiting" | "sending" | "sent" | "refused";

type ItemBase = {
  seq?: number; // IndexedDB's autoincrement: the order things were made in (FIFO)
  key: string; // the item's idempotency key (Idempotency-Key, or media client_key)
  createdAt: string;
  state: ItemState;
  progress?: number; // 0..100 while a photo's bytes go up
  refusal?: { code: string; message: string };
  sentAt?: string;
  label: string; // what the queue shows ("Фото 3 · Заказ № 12", "Выполнено: Замер")
  orderId?: string | null;
};

/** Any JSON request: completion, check-in/out, or whatever else a form sends offline. */
export type RequestItem = ItemBase & {
  type: "request";
  method: "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  body: unknown;
};

/** A photo: its bytes kept here until the media service has verified them. */
export type PhotoItem = ItemBase & {
  type: "photo";
  orderId: string;
  visitId: string | null; // sent as the media's visit_id: the photo counts for that visit's gate
  purpose: string;
  filename: string;
  contentType: string;
  blob: Blob | null; // dropped once sent: the phone's storage is small
  mediaId?: string;
};

export type OutboxItem = RequestItem | PhotoItem;
export type NewItem = Omit<RequestItem, "seq" | "state" | "createdAt"> | Omit<PhotoItem, "seq" | "state" | "createdAt">;

interface FieldDB extends DBSchema {
  outbox: { key: number; value: OutboxItem; indexes: { by_key: string } };
  cache: { key: string; value: { name: string; savedAt: string; data: unknown } };
}

let opened: Promise<IDBPDatabase<FieldDB>> | null = null;

export function db(): Promise<IDBPDatabase<FieldDB>> {
  opened ??= openDB<FieldDB>(DB_NAME, 1, {
    upgrade(database) {
      const outbox = database.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
      outbox.createIndex("by_key", "key", { unique: true });
      database.createObjectStore("cache", { keyPath: "name" });
    },
    // Another tab (or the wipe) wants the database gone or upgraded: let it.
    blocking() {
      void opened?.then((d) => d.close());
      opened = null;
    },
    terminated() {
      opened = null;
    },
  });
  return opened;
}

/** For tests and the wipe: forget the open handle (the wipe deletes the database itself). */
export async function closeDb(): Promise<void> {
  const current = opened;
  opened = null;
  if (current) (await current).close();
}

export async function saveCache(name: string, data: unknown, now = new Date()): Promise<void> {
  await (await db()).put("cache", { name, savedAt: now.toISOString(), data });
}

export async function readCache<T>(name: string): Promise<{ savedAt: string; data: T } | null> {
  const found = await (await db()).get("cache", name);
  return found ? { savedAt: found.savedAt, data: found.data as T } : null;
}
