import { fileURLToPath, URL } from "node:url";
import { paraglideVitePlugin } from "@inlang/paraglide-js";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { svelteTesting } from "@testing-library/svelte/vite";
import { defineConfig } from "vitest/config";

// Tauri's dev server contract: fixed port, fail instead of picking another one.
const DEV_PORT = 1420;

export default defineConfig({
  plugins: [
    // The UI's words (messages/{locale}.json) compiled into typed functions in
    // src/paraglide; the locale is Strato's own ($lib/i18n), set from the settings.
    paraglideVitePlugin({ project: "./project.inlang", outdir: "./src/paraglide", strategy: ["globalVariable", "baseLocale"] }),
    svelte(),
    svelteTesting(),
  ],
  resolve: {
    alias: {
      $lib: fileURLToPath(new URL("./src/lib", import.meta.url)),
    },
  },
  clearScreen: false,
  server: {
    port: DEV_PORT,
    strictPort: true,
    watch: { ignored: ["**/src-tauri/**"] },
  },
  // Tauri's webviews: WebView2 (Chromium) on Windows, WebKit on macOS/Linux.
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: ["es2022", "chrome111", "safari16"],
  },
  test: {
    include: ["src/**/*.test.ts"],
    setupFiles: ["src/test/setup.ts"],
    environment: "node",
    restoreMocks: true,
  },
});
