// Vite builds the dashboard to static files with hashed names under assets/ (cached forever by
// the server) and an index.html (never cached). The awoooi build passes AWOOOI_WEB_OUT_DIR so
// that each CMake build directory gets its own copy; by hand it goes to web/dist.
// No plugin is needed: esbuild compiles Preact's JSX (jsxImportSource in tsconfig.json).
import { defineConfig } from 'vitest/config';

const api = process.env.AWOOOI_DEV_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: process.env.AWOOOI_WEB_OUT_DIR || 'dist',
    emptyOutDir: true,
    target: 'es2020',
    sourcemap: false,
    // One app chunk and one for the graph library: both are small enough that splitting further
    // would only add requests.
    chunkSizeWarningLimit: 700,
    rollupOptions: {
      output: {
        manualChunks: (id) => (id.includes('node_modules/cytoscape') ? 'cytoscape' : undefined),
      },
    },
  },
  server: {
    // An address, not "localhost": Vite (and Vitest, which starts it) would look the name up, and a
    // minimal machine or build root may have no /etc/hosts.
    host: '127.0.0.1',
    // `npm run dev` against a running `awoooi serve` (or `npm run mock`).
    proxy: { '/api': { target: api, changeOrigin: false } },
  },
  test: {
    environment: 'jsdom',
    include: ['test/**/*.test.{ts,tsx}'],
  },
});
