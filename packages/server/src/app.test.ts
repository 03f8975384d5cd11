import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSP } from './security/headers.js';
import { harness, type Harness } from './test-support.js';

describe('app basics', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(() => h.close());

  it('answers /healthz with the security headers', async () => {
    const res = await h.t.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true });
    expect(res.headers['content-security-policy']).toBe(CSP);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
    expect(res.headers['strict-transport-security']).toBeUndefined();
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('puts the same headers on 404s and no-store on the API', async () => {
    const res = await h.t.app.inject({ method: 'GET', url: '/api/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'no such route' } });
    expect(res.headers['content-security-policy']).toBe(CSP);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('refuses foreign Host headers (DNS rebinding) with 421', async () => {
    for (const host of ['evil.example', 'evil.example:5177', 'localhost.evil.example', 'a b']) {
      const res = await h.t.app.inject({ method: 'GET', url: '/healthz', headers: { host } });
      expect(res.statusCode, host).toBe(421);
      expect(res.json().error.code).toBe('HOST_NOT_ALLOWED');
      expect(res.headers['content-security-policy']).toBe(CSP);
    }
    for (const host of ['localhost:5177', '127.0.0.1:80', '[::1]:5177', 'LOCALHOST']) {
      const res = await h.t.app.inject({ method: 'GET', url: '/healthz', headers: { host } });
      expect(res.statusCode, host).toBe(200);
    }
  });

  it('publishes OpenAPI built from the route schemas', async () => {
    const res = await h.t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toMatch(/^3\./);
    for (const p of [
      '/healthz',
      '/api/datasets',
      '/api/datasets/{id}',
      '/api/datasets/{id}/rows',
      '/api/datasets/{id}/facet',
      '/api/datasets/{id}/steps',
      '/api/datasets/{id}/export',
    ]) {
      expect(doc.paths[p], p).toBeDefined();
    }
    const rows = doc.paths['/api/datasets/{id}/rows']!.get as { parameters: { name: string }[] };
    expect(rows.parameters.map((x) => x.name)).toEqual(
      expect.arrayContaining(['id', 'offset', 'limit', 'step']),
    );
  });
});
