import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { SECURITY_HEADERS } from '../packages/server/src/security/headers.js';

/** engine-wasm's conformance page, built by `npm run build -w @tidyvault/engine-wasm`. */
export const TEST_PAGE = path.join(import.meta.dirname, '..', 'packages', 'engine-wasm', 'dist', 'test-page');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
};

export interface StaticServer {
  origin: string;
  /** Requests, in order: method and path (`GET /index.html`). */
  served: string[];
  close: () => Promise<void>;
}

/**
 * A static server on 127.0.0.1 for one folder, sending on every response the headers
 * `tidyvault serve` sends (the same strict CSP: `script-src 'self' 'wasm-unsafe-eval'`,
 * `worker-src 'self'`, `connect-src 'self'`). GET and HEAD; unknown paths are 404.
 */
export async function serveStatic(
  root: string = TEST_PAGE,
  /** Content-Types by extension that replace the usual ones (a misconfigured host). */
  types: Record<string, string> = {},
): Promise<StaticServer> {
  if (!fs.existsSync(path.join(root, 'index.html')))
    throw new Error(
      `${root}/index.html is missing: run npm run build (or npm run build -w @tidyvault/engine-wasm)`,
    );
  const served: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    served.push(`${req.method} ${url.pathname}`);
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    const rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname.slice(1));
    const file = path.resolve(root, rel);
    if (
      (req.method !== 'GET' && req.method !== 'HEAD') ||
      !file.startsWith(root + path.sep) ||
      !fs.statSync(file, { throwIfNoEntry: false })?.isFile()
    ) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': types[path.extname(file)] ?? TYPES[path.extname(file)] ?? 'application/octet-stream',
      'content-length': fs.statSync(file).size,
    });
    // HEAD, as any static host answers it (the engine checks the .wasm's type first).
    if (req.method === 'HEAD') res.end();
    else fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    served,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
