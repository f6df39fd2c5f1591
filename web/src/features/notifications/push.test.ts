import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../../api/client";
import { disablePush, enablePush, keyBytes, pushState, type PushDeps } from "./push";

// A P-256 public key as the server gives it (65 bytes, URL-safe base64).
const VAPID = "BJmvhSy2dUOVg5LGChoc3z_vQ25RfXc4JA8g5Z4Lc5aa_gepofVrpBQQN4eZvUylD4lytzm6mPPyvhv6lxnqY2Y";

class FakeSubscription {
  unsubscribed = false;
  constructor(
    readonly endpoint: string,
    readonly key: Uint8Array,
  ) {}
  toJSON(): PushSubscriptionJSON {
    return { endpoint: this.endpoint, expirationTime: null, keys: { p256dh: "p256", auth: "auth" } };
  }
  async unsubscribe(): Promise<boolean> {
    this.unsubscribed = true;
    manager.current = null;
    return true;
  }
}

// A mocked PushManager: one subscription at most, refusing another key as browsers do.
const manager = {
  current: null as FakeSubscription | null,
  getSubscription: vi.fn(async () => manager.current),
  subscribe: vi.fn(async (options: PushSubscriptionOptionsInit) => {
    const key = options.applicationServerKey as Uint8Array;
    if (manager.current && manager.current.key.join() !== key.join()) {
      throw new DOMException("another key", "InvalidStateError");
    }
    manager.current ??= new FakeSubscription("https://push.example.net/send/abc", key);
    return manager.current;
  }),
};
const registration = { pushManager: manager } as unknown as ServiceWorkerRegistration;

function deps(over: Partial<PushDeps> = {}): PushDeps & { saved: unknown[]; removed: string[] } {
  const saved: unknown[] = [];
  const removed: string[] = [];
  return {
    saved,
    removed,
    permission: () => "default",
    requestPermission: async () => "granted",
    registration: async () => registration,
    vapidKey: async () => VAPID,
    save: async (s) => void saved.push(s),
    remove: async (e) => void removed.push(e),
    ...over,
  };
}

describe("push on this device", () => {
  it("asks permission, subscribes with the server's key and sends only endpoint and keys", async () => {
    manager.current = null;
    const d = deps();
    expect(await enablePush(d)).toEqual({ ok: true });
    const options = manager.subscribe.mock.calls.at(-1)![0];
    expect(options.userVisibleOnly).toBe(true);
    expect(options.applicationServerKey).toEqual(keyBytes(VAPID));
    expect(d.saved).toEqual([{ endpoint: "https://push.example.net/send/abc", keys: { p256dh: "p256", auth: "auth" } }]);
  });

  it("decodes the VAPID key to the 65 bytes of a P-256 point", () => {
    const bytes = keyBytes(VAPID);
    expect(bytes.length).toBe(65);
    expect(bytes[0]).toBe(4);
  });

  it("says why not: refused permission, no worker, no browser support, no server setup", async () => {
    manager.current = null;
    expect(await enablePush(deps({ requestPermission: async () => "denied" }))).toEqual({ ok: false, problem: "denied" });
    expect(await enablePush(deps({ registration: async () => null }))).toEqual({ ok: false, problem: "no_worker" });
    expect(await enablePush(deps({ permission: () => null }))).toEqual({ ok: false, problem: "unsupported" });
    const unset = deps({
      vapidKey: async () => {
        throw new ApiError(503, { detail: "no VAPID", code: "channel_not_configured" });
      },
    });
    expect(await enablePush(unset)).toEqual({ ok: false, problem: "not_configured" });
    const down = deps({
      save: async () => {
        throw new ApiError(0, null);
      },
    });
    expect(await enablePush(down)).toEqual({ ok: false, problem: "failed" });
  });

  it("replaces a subscription made with an older server key", async () => {
    const old = new FakeSubscription("https://push.example.net/send/old", new Uint8Array([4, 1, 2]));
    manager.current = old;
    const d = deps();
    expect(await enablePush(d)).toEqual({ ok: true });
    expect(old.unsubscribed).toBe(true);
    expect(d.saved).toHaveLength(1);
  });

  it("reports its state and turns off on the server and in the browser", async () => {
    manager.current = null;
    expect(await pushState(deps({ permission: () => "granted" }))).toBe("off");
    expect(await pushState(deps({ permission: () => "denied" }))).toBe("denied");
    expect(await pushState(deps({ registration: async () => null }))).toBe("no_worker");
    await enablePush(deps());
    expect(await pushState(deps({ permission: () => "granted" }))).toBe("on");
    const d = deps({ permission: () => "granted" });
    const sub = manager.current!;
    expect(await disablePush(d)).toEqual({ ok: true });
    expect(d.removed).toEqual(["https://push.example.net/send/abc"]);
    expect(sub.unsubscribed).toBe(true);
    expect(await pushState(d)).toBe("off");
    expect(await disablePush(d)).toEqual({ ok: true }); // nothing left to turn off
  });
});
