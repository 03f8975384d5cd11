import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { NodeEngine } from '@tidyvault/engine-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.js';
import { listen } from './listen.js';
import { CSP } from './security/headers.js';
import { fakeWebRoot, harness, type Harness } from './test-support.js';
import { defaultWebRoot } from './web.js';

const NOT_FOUND = { error: { code: 'NOT_FOUND', message: 'no such route' } };

function rawGet(port: number, url: string) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>(
    (resolve, reject) => {
      const req = http.request({
        host: '127.0.0.1',
        port,
        method: 'GET',
        path: url,
        headers: { host: 'localhost' },
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    },
  );
}

describe('the web app', () => {
  let h: Harness;
  let web: ReturnType<typeof fakeWebRoot>;
  beforeAll(async () => {
    web = fakeWebRoot();
    h = await harness({ webRoot: web.root });
  });
  afterAll(async () => {
    await h.close();
    web.remove();
  });
  const get = (url: string, headers: Record<string, string> = {}) =>
    h.t.app.inject({ method: 'GET', url, headers });

  it('serves index.html at / without a session, uncached, under the strict CSP', async () => {
    const res = await get('/');
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.equals(web.files['index.html']!)).toBe(true);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-security-policy']).toBe(CSP);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('is where the login link lands', async () => {
    const token = h.t.issueLoginToken();
    const login = await get(`/auth/token?token=${token}`);
    expect(login.statusCode).toBe(303);
    expect(login.headers.location).toBe('/');
    const c = login.cookies[0]!;
    const res = await get('/', { cookie: `${c.name}=${c.value}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
  });

  it('serves every asset with its content type, cached for good, under the strict CSP', async () => {
    const types: Record<string, string> = {
      'index-abc123.js': 'text/javascript; charset=utf-8',
      'index-abc123.css': 'text/css; charset=utf-8',
      'logo-1.svg': 'image/svg+xml',
      'icon-1.png': 'image/png',
      'font-1.woff2': 'font/woff2',
      'duckdb-1.wasm': 'application/wasm',
      'data-1.json': 'application/json; charset=utf-8',
      'index-abc123.js.map': 'application/json; charset=utf-8',
    };
    for (const [name, type] of Object.entries(types)) {
      const res = await get(`/assets/${name}`);
      expect(res.statusCode, name).toBe(200);
      expect(res.rawPayload.equals(web.files[name]!), name).toBe(true);
      expect(res.headers['content-type'], name).toBe(type);
      expect(res.headers['cache-control'], name).toBe('public, max-age=31536000, immutable');
      const head = await h.t.app.inject({ method: 'HEAD', url: `/assets/${name}` });
      expect(head.statusCode, name).toBe(200);
      expect(head.headers['content-type'], name).toBe(type);
      expect(head.body, name).toBe('');
      expect(res.headers['content-security-policy'], name).toBe(CSP);
      expect(res.headers['x-content-type-options'], name).toBe('nosniff');
    }
  });

  it('answers 404 JSON for unknown assets and for every way out of assets/, sent as is', async () => {
    const { port } = await listen(h.t, { host: '127.0.0.1', port: 0, tls: false, trustProxy: false });
    for (const url of [
      '/assets/nope.js',
      '/assets/',
      '/assets/../package.json',
      '/assets/..%2fpackage.json',
      '/assets/%2e%2e%2fpackage.json',
      '/assets/%2E%2E%2Fpackage.json',
      '/assets/..%5cpackage.json',
      '/assets/..\\package.json',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/assets/%252e%252e%252fpackage.json',
      '/assets/.',
      '/assets/..',
      '/assets/%2e%2e',
      '/assets/nested/deep.js',
      '/assets/nested%2fdeep.js',
      '/assets/nested',
      '/assets/link.js',
      '/assets/__proto__',
      '/assets/constructor',
      '/assets/index-abc123.js%00.png',
      '/package.json',
      '/index.html',
    ]) {
      // A raw request line: no client resolves the dots or decodes anything first.
      const res = await rawGet(port, url);
      expect(res.status, url).toBe(404);
      expect(JSON.parse(res.body), url).toEqual(NOT_FOUND);
      expect(res.headers['content-security-policy'], url).toBe(CSP);
      expect(res.headers['cache-control'], url).toBe('no-store');
    }
  });

  it('serves what was there at start: later changes on disk are not seen', async () => {
    const assets = path.join(web.root, 'assets');
    fs.writeFileSync(path.join(assets, 'index-abc123.js'), 'tampered');
    fs.writeFileSync(path.join(assets, 'late-1.js'), 'late');
    fs.writeFileSync(path.join(web.root, 'index.html'), 'tampered');
    expect((await get('/assets/index-abc123.js')).body).toBe('console.log("app");\n');
    expect((await get('/assets/late-1.js')).statusCode).toBe(404);
    expect((await get('/')).rawPayload.equals(web.files['index.html']!)).toBe(true);
  });

  it('keeps the API behind the session', async () => {
    const res = await get('/api/datasets');
    expect(res.statusCode).toBe(401);
  });
});

describe("a large asset (local mode's DuckDB-WASM module)", () => {
  it('is streamed from disk whole, with its content type, not held in memory', async () => {
    const web = fakeWebRoot();
    const big = Buffer.alloc(3 * 1024 * 1024 + 7, 0x61);
    big.write('\0asm', 0);
    fs.writeFileSync(path.join(web.root, 'assets', 'duckdb-eh-x1.wasm'), big);
    const h = await harness({ webRoot: web.root });
    try {
      const res = await h.t.app.inject({ method: 'GET', url: '/assets/duckdb-eh-x1.wasm' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/wasm');
      expect(res.headers['content-security-policy']).toBe(CSP);
      expect(res.rawPayload.equals(big)).toBe(true);
    } finally {
      await h.close();
      web.remove();
    }
  });
});

describe('without a web app', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ webRoot: false });
  });
  afterAll(() => h.close());

  it('answers / with the signed-in JSON landing route and has no asset route', async () => {
    expect((await h.t.app.inject({ method: 'GET', url: '/' })).statusCode).toBe(401);
    const auth = await h.login();
    const res = await h.t.app.inject({ method: 'GET', url: '/', headers: auth.headers });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ app: 'tidyvault', user: expect.any(String), api: '/api/openapi.json' });
    expect(h.t.routes.some((r) => r.url.startsWith('/assets'))).toBe(false);
  });
});

describe('where the web app comes from', () => {
  const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-webpkg-'));

  it('is the dist folder of @tidyvault/web when it holds index.html', () => {
    const dir = tmp();
    try {
      const asked: string[] = [];
      const resolve = (id: string) => (asked.push(id), path.join(dir, 'package.json'));
      expect(defaultWebRoot(resolve)).toBeUndefined();
      fs.mkdirSync(path.join(dir, 'dist'));
      expect(defaultWebRoot(resolve)).toBeUndefined();
      fs.writeFileSync(path.join(dir, 'dist', 'index.html'), '<!doctype html>');
      expect(defaultWebRoot(resolve)).toBe(path.join(dir, 'dist'));
      expect(asked[0]).toBe('@tidyvault/web/package.json');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is none when the package is not installed', () => {
    const missing = () => {
      throw Object.assign(new Error('Cannot find module'), { code: 'MODULE_NOT_FOUND' });
    };
    expect(defaultWebRoot(missing)).toBeUndefined();
  });

  it('builds an app by default whether or not the web app is built', async () => {
    const engine = await NodeEngine.open({ memoryLimit: '256MB', threads: 1 });
    try {
      const t = await buildApp({ engine, secretKey: randomBytes(32), logLevel: 'silent' });
      await t.app.ready();
      const root = t.routes.find((r) => r.method === 'GET' && r.url === '/');
      expect(root?.access).toBe(defaultWebRoot() === undefined ? 'user' : 'public');
      await t.app.close();
    } finally {
      await engine.close();
    }
  });

  it('refuses a named folder without index.html', async () => {
    const dir = tmp();
    const engine = await NodeEngine.open({ memoryLimit: '256MB', threads: 1 });
    try {
      await expect(
        buildApp({ engine, secretKey: randomBytes(32), logLevel: 'silent', webRoot: dir }),
      ).rejects.toThrow(/has no readable index\.html/);
    } finally {
      await engine.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
