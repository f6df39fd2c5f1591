/// <reference lib="webworker" />
// The service worker (issue 15): the app's shell from the precache (index.html, scripts,
// styles, icons: the list Workbox injects at build time), so the app starts without signal;
// the push handler. It never answers /api/* (the crew's data offline is IndexedDB's, kept by
// the app itself) and never the guides: only a navigation to `/`, the app's one page, is
// served from here. Built by vite-plugin-pwa (injectManifest) to /app/sw.js, scope `/`.
import { clientsClaim } from "workbox-core";
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from "workbox-precaching";
import { NavigationRoute, registerRoute } from "workbox-routing";
import { notificationOptions, openApp, readPush, sameOriginUrl, type Windows } from "./sw/push";

declare let self: ServiceWorkerGlobalScope;

// A new build takes over at once (registerType autoUpdate: the page reloads onto it), and
// removes the precache of the build before.
void self.skipWaiting();
clientsClaim();
cleanupOutdatedCaches();
precacheAndRoute(self.__WB_MANIFEST);

// `/` (and `/?...`; the screens are hash routes) is the app: the precached index.html, which
// the gateway serves with the page's Content-Security-Policy, kept with it in the cache.
registerRoute(new NavigationRoute(createHandlerBoundToURL("/app/index.html"), { allowlist: [/^\/(\?.*)?$/] }));

self.addEventListener("push", (event: PushEvent) => {
  const notice = readPush(event.data?.text(), self.location.origin);
  event.waitUntil(self.registration.showNotification(notice.title, notificationOptions(notice)));
});

self.addEventListener("notificationclick", (event: NotificationEvent) => {
  event.notification.close();
  const data = event.notification.data as { url?: unknown } | null;
  const url = new URL(sameOriginUrl(data?.url, self.location.origin), self.location.origin).href;
  event.waitUntil(openApp(self.clients as unknown as Windows, url, self.location.origin));
});
