// The app is served by the gateway: index.html at `/`, everything else under `/app/`.
// Hashed file names let the gateway cache assets for good and revalidate only index.html.
import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

export default defineConfig({
  base: "/app/",
  plugins: [react()],
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
