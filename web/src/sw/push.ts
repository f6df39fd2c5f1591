// What a push becomes on the phone (issue 15, item 5), as pure functions the service worker
// calls: the server (the notifications service's Web Push channel, another issue) sends
// `{title, body, url, tag?}` with the text already in the user's language.

export const APP_ICON = "/app/icons/icon-192.png";
// A push must always show something (Chrome counts a silent push against the site): a
// payload we cannot read still says that something happened, in the app's default language.
export const FALLBACK_TITLE = "Заказы: новое уведомление";

export type PushNotice = {
  title: string;
  body: string;
  url: string; // same-origin path to open on a tap
  tag?: string; // a later push with the same tag replaces the earlier (a visit moved twice)
};

const text = (value: unknown, max: number): string =>
  typeof value === "string" ? value.trim().slice(0, max) : "";

/** A push's payload as a notice; anything unreadable as the fallback notice opening the app. */
export function readPush(payload: string | null | undefined, origin: string): PushNotice {
  let data: Record<string, unknown> = {};
  try {
    const parsed: unknown = payload ? JSON.parse(payload) : null;
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) data = parsed as Record<string, unknown>;
  } catch {
    // not JSON: the fallback below
  }
  const notice: PushNotice = {
    title: text(data.title, 200) || FALLBACK_TITLE,
    body: text(data.body, 1000),
    url: sameOriginUrl(data.url, origin),
  };
  const tag = text(data.tag, 200);
  if (tag) notice.tag = tag;
  return notice;
}

/** The app's own address to open: a push can never send a tap to another site. */
export function sameOriginUrl(url: unknown, origin: string): string {
  if (typeof url !== "string" || !url) return "/";
  try {
    const target = new URL(url, origin);
    if (target.origin !== origin) return "/";
    return target.pathname + target.search + target.hash;
  } catch {
    return "/";
  }
}

/** The options of `showNotification` for a notice. */
export function notificationOptions(notice: PushNotice): NotificationOptions {
  const options: NotificationOptions = {
    body: notice.body,
    icon: APP_ICON,
    badge: APP_ICON,
    lang: "ru",
    data: { url: notice.url },
  };
  if (notice.tag) options.tag = notice.tag;
  return options;
}

/** The part of a window client the tap needs (WindowClient's, kept small to be testable). */
export type AppWindow = {
  url: string;
  focus(): Promise<AppWindow>;
  navigate?(url: string): Promise<unknown>;
};
export type Windows = {
  matchAll(options: { type: "window"; includeUncontrolled: boolean }): Promise<readonly AppWindow[]>;
  openWindow(url: string): Promise<unknown>;
};

/** A tap on a notice: focus a window of the app and take it to `url` (an absolute URL of the
 * app's origin), or open one there when none is open. */
export async function openApp(windows: Windows, url: string, origin: string): Promise<void> {
  const open = await windows.matchAll({ type: "window", includeUncontrolled: true });
  const app = open.find((w) => new URL(w.url).origin === origin);
  if (!app) {
    await windows.openWindow(url);
    return;
  }
  const focused = await app.focus();
  // navigate() works on a window this worker controls; otherwise the app is still shown.
  if (focused.url !== url && focused.navigate) await focused.navigate(url).catch(() => undefined);
}
