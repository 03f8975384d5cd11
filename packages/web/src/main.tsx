import './zod-jitless.js';
import '@glideapps/glide-data-grid/dist/index.css';
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { HttpBackend } from './api/http-backend.js';
import { App } from './App.js';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App backend={new HttpBackend()} />
  </StrictMode>,
);
