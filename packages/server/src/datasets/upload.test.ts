import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { listen } from '../listen.js';
import { harness, multipart, upload, type Harness } from '../test-support.js';
import { cleanName } from './upload.js';

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** A raw request over a real socket, so Content-Length and disconnects are what a client sends. */
function rawPost(port: number, headers: Record<string, string | number>) {
  const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/api/datasets', headers });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
  return { req, response };
}

describe('uploads', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('refuses a declared Content-Length over the limit before reading the body', async () => {
    h = await harness({ maxUploadBytes: 1000 });
    const { headers } = await h.login();
    const { port } = await listen(h.t, { host: '127.0.0.1', port: 0, tls: false, trustProxy: false });
    const { req, response } = rawPost(port, {
      ...headers,
      host: `localhost:${port}`,
      'content-type': 'multipart/form-data; boundary=x',
      'content-length': 5368709120,
    });
    req.write(Buffer.alloc(1024, 'a'));
    const res = await response;
    req.destroy();
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error.code).toBe('UPLOAD_TOO_LARGE');
    expect(h.stagingFiles()).toEqual([]);
    expect(h.t.store.size).toBe(0);
  });

  it('stops a body that grows past the limit while streaming (no truncated dataset)', async () => {
    h = await harness({ maxUploadBytes: 50_000 });
    const { headers } = await h.login();
    const res = await upload(h, headers, 'big.csv', 'a\n' + 'x\n'.repeat(60_000));
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('UPLOAD_TOO_LARGE');
    expect(h.stagingFiles()).toEqual([]);
    expect(h.t.store.size).toBe(0);
  });

  it('answers 400 for a request without a file and for an unsupported or corrupt file', async () => {
    h = await harness();
    const { headers } = await h.login();
    const empty = await h.t.app.inject({
      method: 'POST',
      url: '/api/datasets',
      headers: { ...headers, 'content-type': 'multipart/form-data; boundary=zz' },
      payload: '--zz--\r\n',
    });
    expect(empty.statusCode).toBe(400);
    expect((await upload(h, headers, 'virus.exe', 'MZ')).statusCode).toBe(400);
    const corrupt = await upload(h, headers, 'broken.parquet', 'PAR1 not really');
    expect(corrupt.statusCode).toBe(400);
    expect(h.stagingFiles()).toEqual([]);
    expect(h.t.store.size).toBe(0);
  });

  it('leaves nothing behind when the client disconnects mid-upload', async () => {
    h = await harness();
    const { headers } = await h.login();
    const { port } = await listen(h.t, { host: '127.0.0.1', port: 0, tls: false, trustProxy: false });
    const { payload, contentType } = multipart('canary.csv', 'secret\n' + 'CANARY-ABORT\n'.repeat(100_000));
    const { req, response } = rawPost(port, {
      ...headers,
      host: `localhost:${port}`,
      'content-type': contentType,
      'content-length': payload.length,
    });
    response.catch(() => undefined);
    req.write(payload.subarray(0, payload.length / 2));
    await until(() => h!.stagingFiles().length === 1, 'the staging file');
    req.destroy();
    await until(() => h!.stagingFiles().length === 0, 'the staging file to go');
    expect(h.t.store.size).toBe(0);
  });

  it('answers 429 when too many uploads run at once', async () => {
    h = await harness({ maxConcurrentUploads: 1 });
    const { headers } = await h.login();
    const { port } = await listen(h.t, { host: '127.0.0.1', port: 0, tls: false, trustProxy: false });
    const { payload, contentType } = multipart('slow.csv', 'a\n' + '1\n'.repeat(100_000));
    const slow = rawPost(port, {
      ...headers,
      host: `localhost:${port}`,
      'content-type': contentType,
      'content-length': payload.length,
    });
    slow.response.catch(() => undefined);
    slow.req.write(payload.subarray(0, 1000));
    await until(() => h!.stagingFiles().length === 1, 'the first upload to start');
    const second = await upload(h, headers, 'b.csv', 'a\n1\n');
    expect(second.statusCode).toBe(429);
    expect(second.headers['retry-after']).toBe('5');
    slow.req.end(payload.subarray(1000));
    expect((await slow.response).status).toBe(201);
    expect((await upload(h, headers, 'c.csv', 'a\n1\n')).statusCode).toBe(201);
  });

  it('answers 507 when the datasets held would pass the memory budget, and admits again after a delete', async () => {
    // This file's table takes about 560 kB in DuckDB: one fits, two do not.
    h = await harness({ maxResidentBytes: 1_000_000 });
    const { headers } = await h.login();
    const file = 'a\n' + '123456789\n'.repeat(20_000);
    const first = await upload(h, headers, 'one.csv', file);
    expect(first.statusCode).toBe(201);
    const second = await upload(h, headers, 'two.csv', file);
    expect(second.statusCode).toBe(507);
    expect(second.json().error.code).toBe('INSUFFICIENT_MEMORY');
    expect(h.t.store.size).toBe(1);
    expect(h.stagingFiles()).toEqual([]);
    const del = await h.t.app.inject({ method: 'DELETE', url: `/api/datasets/${first.json().id}`, headers });
    expect(del.statusCode).toBe(204);
    expect((await upload(h, headers, 'two.csv', file)).statusCode).toBe(201);
  });

  it('keeps only a bare, printable file name', () => {
    expect(cleanName('../../etc/passwd.csv')).toBe('passwd.csv');
    expect(cleanName('C:\\Users\\me\\data.csv')).toBe('data.csv');
    expect(cleanName('a\r\nb.csv')).toBe('ab.csv');
    expect(cleanName('')).toBe('upload.csv');
  });
});
