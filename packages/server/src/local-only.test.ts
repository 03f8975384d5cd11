import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildLocalOnlyApp } from './local-only.js';
import { CSP } from './security/headers.js';
import { fakeWebRoot } from './test-support.js';

describe('serve --local-only', () => {
  let web: ReturnType<typeof fakeWebRoot>;
  let app: FastifyInstance;
  beforeAll(async () => {
    web = fakeWebRoot();
    app = await buildLocalOnlyApp({ root: web.root });
  });
  afterAll(async () => {
    await app.close();
    web.remove();
  });

  it('answers HEAD like GET for the app, as a static host does', async () => {
    const get = await app.inject({ method: 'GET', url: '/' });
    const head = await app.inject({ method: 'HEAD', url: '/' });
    expect(get.statusCode).toBe(200);
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['content-type']).toBe(get.headers['content-type']);
    expect(head.headers['content-security-policy']).toBe(CSP);
    expect((await app.inject({ method: 'HEAD', url: '/assets/index-abc123.js' })).statusCode).toBe(200);
  });

  it('serves no API, and says no-store on everything but the hashed assets', async () => {
    const api = await app.inject({ method: 'POST', url: '/api/datasets', payload: {} });
    expect(api.statusCode).toBe(404);
    expect(api.headers['cache-control']).toBe('no-store');
    expect((await app.inject({ method: 'GET', url: '/healthz' })).headers['cache-control']).toBe('no-store');
    expect((await app.inject({ method: 'GET', url: '/assets/nope.js' })).headers['cache-control']).toBe(
      'no-store',
    );
    const asset = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['cross-origin-embedder-policy']).toBe('require-corp');
    expect(asset.headers['permissions-policy']).not.toMatch(/bluetooth/);
  });

  it('refuses foreign Host headers (DNS rebinding) with 421, on the app and its assets', async () => {
    for (const url of ['/', '/assets/index-abc123.js', '/healthz']) {
      const res = await app.inject({ method: 'GET', url, headers: { host: 'evil.example:5177' } });
      expect(res.statusCode, url).toBe(421);
      expect(res.headers['content-security-policy']).toBe(CSP);
      expect((await app.inject({ method: 'GET', url, headers: { host: 'localhost:5177' } })).statusCode).toBe(
        200,
      );
    }
  });

  it('cuts off clients that send their headers or request slowly', () => {
    expect(app.server.headersTimeout).toBe(30_000);
    expect(app.server.requestTimeout).toBe(30_000);
  });
});
