import { act, cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import type { PushDeps } from "./push";
import { PushToggle } from "./PushToggle";

function fakeDeps(overrides: Partial<PushDeps> = {}): PushDeps {
  let current: PushSubscription | null = null;
  const manager = {
    getSubscription: async () => current,
    subscribe: async () => {
      current = {
        endpoint: "https://push.example.net/send/1",
        toJSON: () => ({ endpoint: "https://push.example.net/send/1", keys: { p256dh: "k", auth: "a" } }),
        unsubscribe: async () => {
          current = null;
          return true;
        },
      } as unknown as PushSubscription;
      return current;
    },
  };
  return {
    permission: () => "default",
    requestPermission: async () => "granted",
    registration: async () => ({ pushManager: manager }) as unknown as ServiceWorkerRegistration,
    vapidKey: async () => "BA",
    save: async () => undefined,
    remove: async () => undefined,
    ...overrides,
  };
}

afterEach(cleanup);

describe("PushToggle", () => {
  it("turns notifications on and off for this device, in Russian", async () => {
    render(<PushToggle deps={fakeDeps()} />);
    const button = await screen.findByRole("button", { name: "Включить уведомления на этом устройстве" });
    await act(async () => fireEvent.click(button));
    // The click's chain (permission, worker, subscription, the server) ends a few ticks later.
    await waitFor(() => expect(screen.getByRole("status").textContent).toContain("даже когда приложение закрыто"));
    const off = screen.getByRole("button", { name: "Выключить уведомления на этом устройстве" });
    await act(async () => fireEvent.click(off));
    await waitFor(() => expect(screen.getByRole("status").textContent).toBe("Уведомления на этом устройстве выключены"));
  });

  it("explains plainly when there is no service worker yet", async () => {
    render(<PushToggle deps={fakeDeps({ registration: async () => null })} />);
    const button = await screen.findByRole("button", { name: "Включить уведомления на этом устройстве" });
    await act(async () => fireEvent.click(button));
    await waitFor(() => expect(screen.getByRole("status").textContent).toContain("приложение ещё не установлено"));
  });
});
