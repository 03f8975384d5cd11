import './zod-jitless.js';
import '@glideapps/glide-data-grid/dist/index.css';
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { HttpBackend } from './api/http-backend.js';
import { LocalBackend } from './api/local-backend.js';
import type { LocalEngine } from './api/local-engine.js';
import { App } from './App.js';

// The local-only build (npm run build:local) has no server to talk to.
const server = import.meta.env.MODE === 'local-only' ? undefined : new HttpBackend();
// DuckDB-WASM (tens of MB) is fetched only when a file is first opened on this device.
const device = new LocalBackend(async () => {
  const { WasmEngine } = await import('@tidyvault/engine-wasm');
  const engine: LocalEngine = await WasmEngine.open();
  return engine;
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App backends={{ ...(server ? { server } : {}), device }} />
  </StrictMode>,
);
