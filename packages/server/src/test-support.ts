import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { NodeEngine } from '@tidyvault/engine-node';
import { buildApp, type TidyvaultApp } from './app.js';
import type { ServerOptions } from './options.js';
import { cookieName } from './security/access.js';

/** A controllable clock for expiry tests. */
export function fakeClock(start = Date.UTC(2026, 0, 1)) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

export interface Harness {
  t: TidyvaultApp;
  engine: NodeEngine;
  logs: () => string;
  login: () => Promise<{ cookie: string; csrf: string; headers: Record<string, string> }>;
  stagingFiles: () => string[];
  close: () => Promise<void>;
}

/**
 * A real app over a real sandboxed DuckDB, logs captured in memory. No web app unless `webRoot`
 * is given, so the tests do not depend on whether packages/web has been built.
 */
export async function harness(o: Partial<ServerOptions> = {}): Promise<Harness> {
  const engine = await NodeEngine.open({ memoryLimit: '512MB', threads: 1 });
  const chunks: string[] = [];
  const logStream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  const t = await buildApp({ engine, secretKey: randomBytes(32), logStream, webRoot: false, ...o });
  await t.app.ready();
  const name = cookieName(o.tls !== undefined);
  return {
    t,
    engine,
    logs: () => chunks.join(''),
    stagingFiles: () => fs.readdirSync(engine.staging.dir),
    login: async () => {
      const token = t.issueLoginToken();
      const res = await t.app.inject({ method: 'GET', url: `/auth/token?token=${token}` });
      const set = res.cookies.find((c) => c.name === name);
      if (!set) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
      const cookie = `${name}=${set.value}`;
      const me = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie } });
      const csrf = (me.json() as { csrfToken: string }).csrfToken;
      return { cookie, csrf, headers: { cookie, 'x-tidyvault-csrf': csrf } };
    },
    close: async () => {
      await t.app.close();
      await engine.close();
    },
  };
}

/** A multipart body with one file part. */
export function multipart(filename: string, content: string | Buffer) {
  const boundary = `----tidyvault${randomBytes(8).toString('hex')}`;
  const payload = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: text/csv\r\n\r\n`,
    ),
    Buffer.isBuffer(content) ? content : Buffer.from(content),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, contentType: `multipart/form-data; boundary=${boundary}` };
}

export async function upload(
  h: Harness,
  auth: Record<string, string>,
  filename: string,
  content: string | Buffer,
) {
  const { payload, contentType } = multipart(filename, content);
  return h.t.app.inject({
    method: 'POST',
    url: '/api/datasets',
    headers: { ...auth, 'content-type': contentType },
    payload,
  });
}

/** A folder laid out like a Vite build, with a file beside `assets/` a traversal would reach. */
export function fakeWebRoot(): { root: string; files: Record<string, Buffer>; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-web-'));
  const root = path.join(dir, 'dist');
  fs.mkdirSync(path.join(root, 'assets', 'nested'), { recursive: true });
  const files: Record<string, Buffer> = {
    'index.html': Buffer.from(
      '<!doctype html><html><head><script type="module" src="/assets/index-abc123.js"></script></head><body><div id="root"></div></body></html>',
    ),
    'index-abc123.js': Buffer.from('console.log("app");\n'),
    'index-abc123.css': Buffer.from('body{margin:0}\n'),
    'logo-1.svg': Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'),
    'icon-1.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    'font-1.woff2': Buffer.from('wOF2'),
    'duckdb-1.wasm': Buffer.from([0x00, 0x61, 0x73, 0x6d]),
    'data-1.json': Buffer.from('{"a":1}'),
    'index-abc123.js.map': Buffer.from('{"version":3}'),
  };
  for (const [name, body] of Object.entries(files)) {
    fs.writeFileSync(name === 'index.html' ? path.join(root, name) : path.join(root, 'assets', name), body);
  }
  // Reachable only by escaping assets/: none of them may ever be served.
  fs.writeFileSync(path.join(root, 'package.json'), '{"secret":"root"}');
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'outside the build');
  fs.writeFileSync(path.join(root, 'assets', 'nested', 'deep.js'), 'nested');
  fs.symlinkSync(path.join(dir, 'secret.txt'), path.join(root, 'assets', 'link.js'));
  return { root, files, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
