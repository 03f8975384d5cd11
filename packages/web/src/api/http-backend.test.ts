import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BackendError } from './backend.js';
import { HttpBackend } from './http-backend.js';

/** A real HTTP server that refuses the first `refusals` requests as the session rate does. */
async function server(refusals: number, retryAfter: string, code = 'TOO_MANY_REQUESTS') {
  const seen: number[] = [];
  const s = http.createServer((req, res) => {
    seen.push(Date.now());
    res.setHeader('content-type', 'application/json');
    if (seen.length <= refusals) {
      res.writeHead(429, { 'retry-after': retryAfter });
      res.end(JSON.stringify({ error: { code, message: 'slow down' } }));
      return;
    }
    res.end(JSON.stringify({ datasets: [] }));
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  // The backend's URLs are relative to the page; here, to this server.
  const realFetch = globalThis.fetch;
  vi.stubGlobal('fetch', (url: string, init: RequestInit) => realFetch(base + url, init));
  return { seen, close: () => new Promise((resolve) => s.close(resolve)) };
}

describe('HttpBackend and the session request rate', () => {
  let close: (() => Promise<unknown>) | undefined;
  afterEach(async () => {
    vi.unstubAllGlobals();
    await close?.();
  });

  it('waits as Retry-After says and tries again, instead of showing an error', async () => {
    const s = await server(2, '1');
    close = s.close;
    const t = Date.now();
    await expect(new HttpBackend().list()).resolves.toEqual([]);
    expect(s.seen).toHaveLength(3);
    expect(s.seen[2]! - t).toBeGreaterThanOrEqual(1900);
  });

  it('gives up after a few tries, and at once when the wait is long or the refusal is another', async () => {
    let s = await server(10, '0');
    close = s.close;
    await expect(new HttpBackend().list()).rejects.toMatchObject({ status: 429, code: 'TOO_MANY_REQUESTS' });
    expect(s.seen).toHaveLength(4);
    await s.close();
    vi.unstubAllGlobals();

    s = await server(10, '60');
    close = s.close;
    await expect(new HttpBackend().list()).rejects.toBeInstanceOf(BackendError);
    expect(s.seen).toHaveLength(1);
    await s.close();
    vi.unstubAllGlobals();

    // Too many uploads at once is the user's to decide about, not a rate to wait out.
    s = await server(10, '0', 'TOO_MANY_UPLOADS');
    close = s.close;
    await expect(new HttpBackend().list()).rejects.toMatchObject({ code: 'TOO_MANY_UPLOADS' });
    expect(s.seen).toHaveLength(1);
  });
});
