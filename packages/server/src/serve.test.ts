import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkBind } from './listen.js';
import { serve, webAppMissing } from './serve.js';
import { multipart } from './test-support.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tidyvault-serve-test-'));
const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const quiet = () => ({ write: () => true }) as unknown as NodeJS.WritableStream;
/** A server on a free loopback port with a small engine and a fresh home, plus `o`. */
const start = (o: Partial<Parameters<typeof serve>[0]> = {}) =>
  serve({
    host: '127.0.0.1',
    port: 0,
    home: tmp(),
    memoryLimit: '256MB',
    threads: 1,
    logStream: quiet(),
    ...o,
  });

describe('serve', () => {
  it('warns the operator when there is no web workbench to serve', () => {
    expect(webAppMissing(undefined)).toMatch(
      /^the web workbench is not built, so this server answers the API only .*npm run build -w @tidyvault\/web/,
    );
    expect(webAppMissing('/srv/web/dist')).toBeUndefined();
  });

  it('refuses a non-loopback bind without TLS or a trusted proxy', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'example.com']) {
      expect(() => checkBind({ host, port: 0, tls: false, trustProxy: false }), host).toThrow(
        /refusing to listen/,
      );
      expect(() => checkBind({ host, port: 0, tls: true, trustProxy: false })).not.toThrow();
      expect(() => checkBind({ host, port: 0, tls: false, trustProxy: true })).not.toThrow();
    }
    for (const host of ['127.0.0.1', 'localhost', '::1', '127.0.0.2']) {
      expect(() => checkBind({ host, port: 0, tls: false, trustProxy: false }), host).not.toThrow();
    }
  });

  it('refuses 0.0.0.0 without TLS before opening anything', async () => {
    const home = tmp();
    await expect(serve({ host: '0.0.0.0', port: 0, home: path.join(home, 'h') })).rejects.toThrow(
      /--tls-cert/,
    );
    expect(fs.existsSync(path.join(home, 'h'))).toBe(false);
  });

  it('starts on loopback, and the printed link signs in exactly once', async () => {
    const home = tmp();
    const s = await serve({
      host: '127.0.0.1',
      port: 0,
      home,
      memoryLimit: '256MB',
      threads: 1,
      logStream: quiet(),
    });
    try {
      expect(s.loginUrl).toMatch(
        new RegExp(`^http://127\\.0\\.0\\.1:${s.port}/auth/token\\?token=[\\w-]{43}$`),
      );
      const first = await fetch(s.loginUrl, { redirect: 'manual' });
      expect(first.status).toBe(303);
      const cookie = first.headers.get('set-cookie')!;
      expect(cookie).toMatch(/^tidyvault-sid=[\w-]+; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Lax$/);
      const me = await fetch(`${s.url}/api/auth/me`, { headers: { cookie: cookie.split(';')[0]! } });
      expect(me.status).toBe(200);
      expect((await fetch(s.loginUrl, { redirect: 'manual' })).status).toBe(401);
      expect(fs.statSync(path.join(home, 'server.key')).mode & 0o777).toBe(0o600);
    } finally {
      await s.close();
    }
  });

  it('guards its outgoing connections while it runs (SECURITY-CONTROLS 38), and only then', async () => {
    const before = net.Socket.prototype.connect;
    const s = await start();
    try {
      expect(net.Socket.prototype.connect).not.toBe(before);
      const code = await new Promise<string | undefined>((resolve) => {
        const socket = net.connect(443, '1.1.1.1');
        socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code));
        socket.once('connect', () => (socket.destroy(), resolve('connected')));
      });
      expect(code).toBe('EGRESS_BLOCKED');
    } finally {
      await s.close();
    }
    expect(net.Socket.prototype.connect).toBe(before);
  });

  it('names a port already taken and the option that picks another', async () => {
    const blocker = http.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      await expect(start({ port })).rejects.toThrow(
        new RegExp(`port ${port} on 127\\.0\\.0\\.1 is taken .*--port`),
      );
    } finally {
      blocker.close();
    }
  });

  it('holds a session to --api-rate-limit requests a minute (0: no limit)', async () => {
    const codes = async (apiRequestsPerMinute: number) => {
      const s = await start({ apiRequestsPerMinute });
      try {
        const cookie = (await fetch(s.loginUrl, { redirect: 'manual' })).headers
          .get('set-cookie')!
          .split(';')[0]!;
        const out: number[] = [];
        for (let i = 0; i < 4; i++)
          out.push((await fetch(`${s.url}/api/datasets`, { headers: { cookie } })).status);
        return out;
      } finally {
        await s.close();
      }
    };
    expect(await codes(2)).toEqual([200, 200, 429, 429]);
    expect(await codes(0)).toEqual([200, 200, 200, 200]);
  });

  it('holds uploads to --max-uploads-per-user: a second one while the first is under way gets 429', async () => {
    const s = await start({ maxUploadsPerUser: 1 });
    const slow = multipart('slow.csv', 'a\n' + '1\n'.repeat(100_000));
    const small = multipart('b.csv', 'a\n1\n');
    let first: http.ClientRequest | undefined;
    try {
      const cookie = (await fetch(s.loginUrl, { redirect: 'manual' })).headers
        .get('set-cookie')!
        .split(';')[0]!;
      const { csrfToken } = (await (await fetch(`${s.url}/api/auth/me`, { headers: { cookie } })).json()) as {
        csrfToken: string;
      };
      const headers = {
        cookie,
        'x-tidyvault-csrf': csrfToken,
        origin: s.url,
        'sec-fetch-site': 'same-origin',
      };
      let second: Response | undefined;
      // A slow upload holds the one slot once its body starts; the second waits for that first.
      for (let attempt = 1; attempt <= 10 && second?.status !== 429; attempt++) {
        first?.destroy();
        first = http.request(`${s.url}/api/datasets`, {
          method: 'POST',
          headers: { ...headers, 'content-type': slow.contentType, 'content-length': slow.payload.length },
        });
        first.on('error', () => undefined);
        first.write(slow.payload.subarray(0, 1000));
        await new Promise((r) => setTimeout(r, 100 * attempt));
        second = await fetch(`${s.url}/api/datasets`, {
          method: 'POST',
          headers: { ...headers, 'content-type': small.contentType },
          body: small.payload,
        });
      }
      expect(second!.status, await second!.clone().text()).toBe(429);
      expect(((await second!.json()) as { error: { message: string } }).error.message).toMatch(
        /you have an upload or import under way \(at most 1 at once\)/,
      );
    } finally {
      first?.destroy();
      await s.close();
    }
  });

  it('behind a TLS proxy, prints the link on the public name, which answers through the proxy only', async () => {
    const s = await start({ trustProxy: '127.0.0.1', allowedHosts: ['tidy.example.org'] });
    const get = (url: string, headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) =>
        http
          .get(`http://127.0.0.1:${s.port}${url}`, { headers }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          })
          .on('error', reject),
      );
    try {
      const link = new URL(s.loginUrl);
      expect(link.origin).toBe('https://tidy.example.org');
      const path = `${link.pathname}${link.search}`;
      expect(await get(path, { host: 'tidy.example.org' })).toBe(403);
      expect(await get(path, { host: 'tidy.example.org', 'x-forwarded-proto': 'https' })).toBe(303);
      expect(await get('/healthz?probe=1', { host: 'tidy.example.org' })).toBe(200);
    } finally {
      await s.close();
    }
  });

  it('answers the link it prints when bound to another loopback address (127.0.0.2)', async () => {
    const s = await start({ host: '127.0.0.2' });
    try {
      expect(s.loginUrl).toMatch(new RegExp(`^http://127\\.0\\.0\\.2:${s.port}/auth/token`));
      expect((await fetch(s.loginUrl, { redirect: 'manual' })).status).toBe(303);
    } finally {
      await s.close();
    }
  });

  it.skipIf(!hasOpenssl)('serves HTTPS with HSTS and a __Host- Secure cookie', async () => {
    const dir = tmp();
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    const s = await start({ home: path.join(dir, 'home'), tlsCert: cert, tlsKey: key });
    try {
      expect(s.loginUrl.startsWith('https://127.0.0.1:')).toBe(true);
      const res = await new Promise<{ status: number; headers: Record<string, unknown> }>(
        (resolve, reject) => {
          https
            .get(s.loginUrl, { ca: fs.readFileSync(cert), servername: 'localhost' }, (r) => {
              r.resume();
              resolve({ status: r.statusCode ?? 0, headers: r.headers });
            })
            .on('error', reject);
        },
      );
      expect(res.status).toBe(303);
      expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      const set = (res.headers['set-cookie'] as string[])[0]!;
      expect(set).toMatch(
        /^__Host-tidyvault-sid=[\w-]+; Max-Age=\d+; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
      );
    } finally {
      await s.close();
    }
  });
});
