import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
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

/** A real app over a real sandboxed DuckDB, logs captured in memory. */
export async function harness(o: Partial<ServerOptions> = {}): Promise<Harness> {
  const engine = await NodeEngine.open({ memoryLimit: '512MB', threads: 1 });
  const chunks: string[] = [];
  const logStream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  const t = await buildApp({ engine, secretKey: randomBytes(32), logStream, ...o });
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
