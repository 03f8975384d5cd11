import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ZodApp } from './app-types.js';

/** Content types of the files a Vite build puts in `assets/`; anything else is served as bytes. */
const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};
const OCTETS = 'application/octet-stream';

/** Vite names every asset after its content hash, so a name never changes meaning. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

export const contentTypeOf = (file: string): string =>
  CONTENT_TYPES[path.extname(file).toLowerCase()] ?? OCTETS;

/** Larger files (the DuckDB-WASM modules of local mode, tens of MB) are streamed from disk. */
const IN_MEMORY_MAX = 1 << 20;

interface Asset {
  type: string;
  /** The bytes, for small files; otherwise the file's path, fixed when the server started. */
  body?: Buffer;
  file?: string;
}

/**
 * The `dist` folder of the workspace package `@tidyvault/web`, or undefined when that package is
 * not installed or not built (no `dist/index.html`): the server then runs API-only.
 */
export function defaultWebRoot(
  resolve: (id: string) => string = createRequire(import.meta.url).resolve,
): string | undefined {
  let pkg: string;
  try {
    pkg = resolve('@tidyvault/web/package.json');
  } catch {
    return undefined;
  }
  const dist = path.join(path.dirname(pkg), 'dist');
  return fs.existsSync(path.join(dist, 'index.html')) ? dist : undefined;
}

/**
 * Serves a Vite build: `GET /` is `index.html`, `GET /assets/:file` a file directly under
 * `assets/`. The file list is read here, once (small files into memory, large ones by path); a
 * request only looks its file name up in that map, so no URL can name a path on disk (no
 * traversal, no symlink games).
 * The routes are public: the app shell holds no data, and every API call it makes needs the
 * session. The security headers hook applies to these responses like to any other.
 */
export function registerWebApp(app: ZodApp, o: { root: string }): void {
  const indexFile = path.join(o.root, 'index.html');
  let index: Buffer;
  try {
    index = fs.readFileSync(indexFile);
  } catch (e) {
    throw new Error(`the web app folder ${o.root} has no readable index.html`, { cause: e });
  }
  const assets = new Map<string, Asset>();
  const assetDir = path.join(o.root, 'assets');
  const entries = fs.existsSync(assetDir) ? fs.readdirSync(assetDir, { withFileTypes: true }) : [];
  // Regular files only: no folders, no symlinks out of the build.
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const file = path.join(assetDir, entry.name);
    const type = contentTypeOf(entry.name);
    assets.set(
      entry.name,
      fs.statSync(file).size <= IN_MEMORY_MAX ? { type, body: fs.readFileSync(file) } : { type, file },
    );
  }

  app.get('/', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) =>
    reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').send(index),
  );

  // HEAD too: the engine checks its .wasm's Content-Type before starting (engine-wasm bundles.ts).
  app.route<{ Params: { file: string } }>({
    method: ['GET', 'HEAD'],
    url: '/assets/:file',
    config: { access: 'public' },
    schema: { hide: true },
    handler: async (request, reply) => {
      // An own-property lookup in a Map: "../x", "%2e%2e%2fx" or "__proto__" simply is not there.
      const asset = assets.get(request.params.file);
      if (!asset) return reply.callNotFound();
      reply.header('content-type', asset.type).header('cache-control', IMMUTABLE);
      return reply.send(asset.body ?? fs.createReadStream(asset.file!));
    },
  });
}
