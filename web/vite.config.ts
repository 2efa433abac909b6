import { defineConfig } from "vite";

// `npm run build -- --outDir DIR` puts the console where `finbrain serve` looks for it (the
// build tree's web/); `npm run dev` proxies the API to a server on :8080.
export default defineConfig({
  base: "/",
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 1200 },
  server: {
    proxy: { "/v1": "http://127.0.0.1:8080", "/healthz": "http://127.0.0.1:8080" },
  },
});
