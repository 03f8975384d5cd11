import fs from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerErrorHandling } from './errors.js';
import { checkBind } from './listen.js';
import { registerClosingAnswer } from './security/closing.js';
import { answerClientError, registerSecurityHeaders } from './security/headers.js';
import { registerHostCheck } from './security/host-check.js';
import { defaultWebRoot, registerWebApp } from './web.js';

/**
 * Also needed by any other static host of the local build: cross-origin isolation, which lets
 * the browser give the page a process of its own (and DuckDB-WASM threads, if ever shipped).
 */
export const LOCAL_ONLY_HEADERS: Record<string, string> = {
  'cross-origin-embedder-policy': 'require-corp',
};

/** The local-only build (`npm run build:local` → packages/web/dist-local), if it was built. */
export function defaultLocalWebRoot(): string | undefined {
  const dist = defaultWebRoot();
  if (!dist) return undefined;
  const local = path.join(path.dirname(dist), 'dist-local');
  return fs.existsSync(path.join(local, 'index.html')) ? local : undefined;
}

/**
 * `tidyvault serve --local-only`: the workbench's static files and nothing else — no API, no
 * sessions, no engine. Every dataset is opened and cleaned in the visitor's browser tab; this
 * process never sees a byte of it. Same security headers as the full server, plus COEP.
 */
export async function buildLocalOnlyApp(o: {
  root: string;
  allowedHosts?: string[];
}): Promise<FastifyInstance> {
  // HEAD as well as GET, as any static host answers (link checkers, uptime probes).
  const app = Fastify({
    logger: false,
    exposeHeadRoutes: true,
    bodyLimit: 1024,
    // Static files only: a request that takes this long to arrive is a slow client holding a socket.
    requestTimeout: 30_000,
    keepAliveTimeout: 5_000,
    http: { requireHostHeader: false },
    return503OnClosing: false,
    clientErrorHandler: (err, socket) => answerClientError(err, socket, { secure: false }),
  });
  // Slow-header (Slowloris) clients are cut off; Node's default is 60 s.
  app.server.headersTimeout = 30_000;
  registerErrorHandling(app);
  registerClosingAnswer(app);
  registerHostCheck(app, o.allowedHosts ?? []);
  registerSecurityHeaders(app, { secure: false });
  app.addHook('onSend', async (_request, reply, payload) => {
    for (const [k, v] of Object.entries(LOCAL_ONLY_HEADERS)) reply.header(k, v);
    return payload;
  });
  registerWebApp(app as never, { root: o.root });
  app.get('/healthz', async () => ({ ok: true }));
  await app.ready();
  return app;
}

export async function serveLocalOnly(o: {
  host: string;
  port: number;
  root?: string;
}): Promise<{ url: string; close: () => Promise<void> }> {
  const root = o.root ?? defaultLocalWebRoot();
  if (!root)
    throw new Error(
      'the local-only web app is not built: run npm run build:local (npm install builds it too)',
    );
  checkBind({ host: o.host, port: o.port, tls: false, trustProxy: false });
  const app = await buildLocalOnlyApp({ root });
  await app.listen({ host: o.host, port: o.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : o.port;
  const host = o.host.includes(':') ? `[${o.host}]` : o.host;
  return { url: `http://${host}:${port}`, close: () => app.close() };
}
