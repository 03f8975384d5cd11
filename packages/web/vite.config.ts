import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Everything the page loads comes from its own origin: no CDN, no fonts, no inline scripts
// (the server's CSP forbids them), so assets are never inlined as scripts.
export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 2000,
  },
});
