import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { isTidyvaultError } from '@tidyvault/core';
import { listen } from '../listen.js';
import { harness, upload, type Harness } from '../test-support.js';

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 3000; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('POST /api/datasets/:id/cluster over a real socket', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('a client that disconnects stops the kNN work (CANCELLED), and the server answers the next request', async () => {
    h = await harness();
    const { headers } = await h.login();
    // 50k distinct values sharing the blocking n-gram "value ": one block, minutes of levenshtein.
    const csv =
      'v\n' + Array.from({ length: 50_000 }, (_, i) => `value ${i.toString(36).padStart(4, '0')}\n`).join('');
    const up = await upload(h, headers, 'big.csv', csv);
    expect(up.statusCode, up.body).toBe(201);
    const id = (up.json() as { id: string }).id;

    // Watch the engine call the route makes: its outcome, and when the kNN loop is running.
    const engine = h.engine;
    const original = engine.cluster.bind(engine);
    let outcome: Promise<unknown> | undefined;
    let comparing = false;
    engine.cluster = (dataset, column, method, params, recipe, o = {}) => {
      const p = original(dataset, column, method, params, recipe, {
        ...o,
        onProgress: () => (comparing = true),
      });
      outcome = p.then(
        () => 'finished',
        (e: unknown) => e,
      );
      return p;
    };

    const { port } = await listen(h.t, { host: '127.0.0.1', port: 0, tls: false, trustProxy: false });
    const body = JSON.stringify({ column: 'v', method: 'levenshtein' });
    const req = http.request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: `/api/datasets/${id}/cluster`,
      headers: {
        ...headers,
        host: `localhost:${port}`,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      },
    });
    req.on('error', () => undefined);
    req.end(body);
    await until(() => comparing, 'the kNN work to start');
    req.destroy();

    const e = await outcome!;
    expect(isTidyvaultError(e) && { code: e.code, message: e.message }).toEqual({
      code: 'CANCELLED',
      message: 'cancelled',
    });
    const health = await h.t.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    // A small cluster request on the same dataset still works after the cancelled one.
    const small = await h.t.app.inject({
      method: 'POST',
      url: `/api/datasets/${id}/cluster`,
      headers,
      payload: { column: 'v', method: 'fingerprint' },
    });
    expect(small.statusCode, small.body).toBe(200);
  });
});
