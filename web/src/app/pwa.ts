// The service worker's registration (src/sw.ts, built to /app/sw.js, controlling `/`).
// autoUpdate: when a new build's worker takes over, the open page reloads onto the new build
// (registerSW does that on the worker's `controlling` event), so a release reaches the phones
// at their next start without asking anyone.
import { registerSW } from "virtual:pwa-register";

export function registerServiceWorker(): void {
  if (!("serviceWorker" in navigator)) return; // an old browser, or http:// to a LAN address
  void registerSW({ immediate: true });
}
