import { defineConfig } from 'vite';

// Builds the conformance test page (test-page/) into dist/test-page/, which e2e/engine-wasm.test.ts
// serves with the server's CSP. Nothing is inlined (no inline scripts under the CSP; the wasm
// and worker files stay separate, same-origin assets).
export default defineConfig({
  root: 'test-page',
  base: '/',
  build: {
    outDir: '../dist/test-page',
    emptyOutDir: true,
    sourcemap: false,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 2000,
  },
});
