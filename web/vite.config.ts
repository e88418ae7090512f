// The console is served by `pingan serve --static-dir web/dist` from the same origin as the API:
// every asset is bundled (no CDN), and `npm run dev` proxies the API to a local pingan.
import { defineConfig } from 'vite';

const target = process.env.PINGAN_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    target: 'es2020',
    chunkSizeWarningLimit: 1500,
    // Strict CSP on the server: no inline scripts; MapLibre's worker is a blob (allowed).
    assetsInlineLimit: 0,
  },
  server: {
    proxy: {
      '/api': { target, ws: true },
      '/tiles': target,
      '/healthz': target,
    },
  },
});
