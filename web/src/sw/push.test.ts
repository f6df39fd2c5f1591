// What a push shows (issue 15, item 5): the server's title and text, the app's icon, a tap that
// opens the app's own address only; an unreadable push still shows something.
import { describe, expect, it } from "vitest";
import type { AppWindow, Windows } from "./push";
import { APP_ICON, FALLBACK_TITLE, notificationOptions, openApp, readPush, sameOriginUrl } from "./push";

const ORIGIN = "https://oms.example";

describe("readPush", () => {
  it("takes the server's title, body, url and tag", () => {
    const notice = readPush(
      JSON.stringify({ title: "Визит перенесён", body: "Завтра 10:00", url: "/#/today", tag: "visit-1" }),
      ORIGIN,
    );
    expect(notice).toEqual({ title: "Визит перенесён", body: "Завтра 10:00", url: "/#/today", tag: "visit-1" });
    const options = notificationOptions(notice);
    expect(options).toMatchObject({ body: "Завтра 10:00", icon: APP_ICON, tag: "visit-1", data: { url: "/#/today" } });
  });

  it("shows a fallback for a payload it cannot read, opening the app", () => {
    for (const payload of [null, "", "not json", "[1,2]", '{"title": 5}']) {
      const notice = readPush(payload, ORIGIN);
      expect(notice.title).toBe(FALLBACK_TITLE);
      expect(notice.url).toBe("/");
      expect(notificationOptions(notice).tag).toBeUndefined();
    }
  });

  it("never sends a tap to another site", () => {
    expect(sameOriginUrl("https://evil.example/phish", ORIGIN)).toBe("/");
    expect(sameOriginUrl("javascript:alert(1)", ORIGIN)).toBe("/");
    expect(sameOriginUrl(`${ORIGIN}/#/orders/7`, ORIGIN)).toBe("/#/orders/7");
    expect(sameOriginUrl("/?x=1#/tasks", ORIGIN)).toBe("/?x=1#/tasks");
    expect(sameOriginUrl(undefined, ORIGIN)).toBe("/");
  });
});

/** Window clients as the worker sees them, recording what the tap did to them. */
function windowsOf(urls: string[]): { windows: Windows; did: string[] } {
  const did: string[] = [];
  const make = (url: string): AppWindow => {
    const w: AppWindow = {
      url,
      focus: async () => (did.push(`focus ${w.url}`), w),
      navigate: async (to: string) => {
        did.push(`navigate ${to}`);
        w.url = to;
      },
    };
    return w;
  };
  const open = urls.map(make);
  return {
    did,
    windows: {
      matchAll: async () => open,
      openWindow: async (url: string) => did.push(`open ${url}`),
    },
  };
}

describe("openApp (a tap on a notice)", () => {
  const target = `${ORIGIN}/#/tasks`;

  it("focuses the app's open window and takes it to the notice's address", async () => {
    const { windows, did } = windowsOf(["https://other.example/", `${ORIGIN}/#/board`]);
    await openApp(windows, target, ORIGIN);
    expect(did).toEqual([`focus ${ORIGIN}/#/board`, `navigate ${target}`]);
  });

  it("does not navigate a window already there", async () => {
    const { windows, did } = windowsOf([target]);
    await openApp(windows, target, ORIGIN);
    expect(did).toEqual([`focus ${target}`]);
  });

  it("opens the app when no window of it is open", async () => {
    const { windows, did } = windowsOf(["https://other.example/"]);
    await openApp(windows, target, ORIGIN);
    expect(did).toEqual([`open ${target}`]);
  });
});
