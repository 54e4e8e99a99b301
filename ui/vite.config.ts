import { svelte } from "@sveltejs/vite-plugin-svelte";
import { svelteTesting } from "@testing-library/svelte/vite";
import { defineConfig } from "vitest/config";

// The UI is served by Tauri from ui/dist (custom protocol) in every build the
// project ships or tests; the dev server is only for `make dev`.
export default defineConfig({
  plugins: [svelte(), svelteTesting()],
  clearScreen: false,
  server: { port: 1420, strictPort: true, host: "127.0.0.1" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // macOS 12's WKWebView is Safari 15 (tauri.conf.json's minimumSystemVersion):
    // esbuild lowers any newer syntax to what it runs.
    target: ["es2022", "safari15"],
    // Source maps would ship the sources inside the binary.
    sourcemap: false,
  },
  test: {
    environment: "jsdom",
    include: ["tests/**/*.test.ts"],
    setupFiles: ["tests/setup.ts"],
  },
});
