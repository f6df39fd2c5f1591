// The app is served by the gateway: index.html at `/`, everything else under `/app/`.
// Hashed file names let the gateway cache assets for good and revalidate only index.html.
import react from "@vitejs/plugin-react";
import { VitePWA } from "vite-plugin-pwa";
import { defineConfig } from "vitest/config";

export default defineConfig({
  base: "/app/",
  plugins: [
    react(),
    // The installable app (issue 15): a manifest, and a service worker of our own (src/sw.ts:
    // the precached shell, the offline start, pushes) into which Workbox injects the list of
    // built files. The worker lives at /app/sw.js but controls `/` (the app's one page): the
    // gateway allows that scope with `Service-Worker-Allowed: /`.
    VitePWA({
      strategies: "injectManifest",
      srcDir: "src",
      filename: "sw.ts",
      scope: "/",
      // Registered from src/app/pwa.ts (a module of the bundle): no inline script (CSP).
      injectRegister: false,
      // A new build replaces the old at the next start, with no question asked: a crew member
      // must not run yesterday's app against today's API (the worker skips waiting).
      registerType: "autoUpdate",
      includeAssets: ["icons/apple-touch-icon-180.png"],
      injectManifest: {
        // A classic script: every browser that runs service workers runs it.
        rollupFormat: "iife",
        // The manifest and its icons are added by the plugin itself (includeManifestIcons).
        globPatterns: ["**/*.{js,css,html,svg,woff2}"],
        // The sourcemaps are for people, not for phones.
        globIgnores: ["**/*.map"],
      },
      manifest: {
        id: "/",
        name: "Заказы — мебель и двери",
        short_name: "Заказы",
        description: "Заказы, визиты и задачи бригады",
        lang: "ru",
        start_url: "/",
        scope: "/",
        display: "standalone",
        orientation: "any",
        theme_color: "#1f4e79",
        background_color: "#ffffff",
        icons: [
          { src: "icons/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
          { src: "icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
          { src: "icons/maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
        ],
      },
    }),
  ],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: true,
    // No inline <script>/<style> anywhere: the gateway's Content-Security-Policy forbids them.
    assetsInlineLimit: 0,
  },
  server: {
    // `npm run dev` against a running `make run` (gateway on :8000).
    proxy: { "/api": "http://127.0.0.1:8000" },
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.ts", "src/**/*.test.tsx"],
  },
});
