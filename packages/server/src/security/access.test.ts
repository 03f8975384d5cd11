import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localHarness } from '../auth/test-local.js';
import { fakeWebRoot, harness, type Harness } from '../test-support.js';

/** Single-user mode: the login link; a password sign-in only says to use it. */
const API_PUBLIC = [
  'GET /healthz',
  'GET /auth/token',
  'GET /api/openapi.json',
  'GET /api/auth/mode',
  'POST /api/auth/login',
];
/** Local accounts: sign-in and first-administrator setup instead of the login link. */
const LOCAL_PUBLIC = [
  'GET /healthz',
  'GET /api/openapi.json',
  'GET /api/auth/mode',
  'POST /api/auth/login',
  'POST /api/auth/setup',
];
/** The web app's shell and its hashed assets hold no data. */
const WEB_PUBLIC = ['GET /', 'GET /assets/:file', 'HEAD /assets/:file'];

describe.each([
  { with: 'without the web app', web: false, local: false, PUBLIC: new Set(API_PUBLIC) },
  { with: 'with the web app', web: true, local: false, PUBLIC: new Set([...API_PUBLIC, ...WEB_PUBLIC]) },
  {
    with: 'local accounts, with the web app',
    web: true,
    local: true,
    PUBLIC: new Set([...LOCAL_PUBLIC, ...WEB_PUBLIC]),
  },
])('deny by default, $with', ({ web, local, PUBLIC }) => {
  let h: Harness;
  let root: ReturnType<typeof fakeWebRoot> | undefined;
  beforeAll(async () => {
    root = web ? fakeWebRoot() : undefined;
    const o = root ? { webRoot: root.root } : {};
    h = local ? await localHarness([], o) : await harness(o);
  });
  afterAll(async () => {
    await h.close();
    root?.remove();
  });

  it('serves the web app routes exactly when there is one', () => {
    const urls = h.t.routes.map((r) => `${r.method} ${r.url}`);
    expect(urls).toContain('GET /');
    expect(urls.includes('GET /assets/:file')).toBe(web);
  });

  it('every route declares its access, and only the allowlist is public', () => {
    // The only HEAD: the web app's files (the engine checks its .wasm's type), public like GET.
    expect(h.t.routes.filter((r) => r.method === 'HEAD').map((r) => r.url)).toEqual(
      web ? ['/assets/:file'] : [],
    );
    expect(h.t.routes.length).toBeGreaterThan(15);
    for (const r of h.t.routes) {
      const key = `${r.method} ${r.url}`;
      expect(r.access, key).toBe(PUBLIC.has(key) ? 'public' : 'user');
    }
  });

  it('answers 401 to an unauthenticated request on every non-public route', async () => {
    let checked = 0;
    for (const r of h.t.routes) {
      if (PUBLIC.has(`${r.method} ${r.url}`)) continue;
      const url = r.url.replace(':id', '0123456789abcdef0123456789abcdef');
      const res = await h.t.app.inject({
        method: r.method as 'GET',
        url,
        ...(r.method === 'GET' || r.method === 'HEAD' ? {} : { payload: {} }),
      });
      expect(res.statusCode, `${r.method} ${r.url}`).toBe(401);
      if (r.method !== 'HEAD') expect(res.json().error.code).toBe('UNAUTHENTICATED');
      checked++;
    }
    expect(checked).toBeGreaterThan(15);
  });

  it('refuses a route added without an access rule, even when signed in', async () => {
    const h2 = await harnessWithExtraRoute();
    try {
      const auth = await h2.login();
      const res = await h2.t.app.inject({ method: 'GET', url: '/api/forgotten', headers: auth.headers });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('ACCESS_UNDECLARED');
      expect(h2.t.routes.find((r) => r.url === '/api/forgotten')?.access).toBeUndefined();
    } finally {
      await h2.close();
    }
  });
});

async function harnessWithExtraRoute(): Promise<Harness> {
  // The harness readies the app, so build one by hand with a route that forgot its config.
  const { randomBytes } = await import('node:crypto');
  const { NodeEngine } = await import('@tidyvault/engine-node');
  const { buildApp } = await import('../app.js');
  const engine = await NodeEngine.open({ memoryLimit: '256MB', threads: 1 });
  const t = await buildApp({ engine, secretKey: randomBytes(32), logLevel: 'silent' });
  t.app.get('/api/forgotten', async () => ({ leaked: true }));
  await t.app.ready();
  return {
    t,
    engine,
    logs: () => '',
    stagingFiles: () => [],
    login: async () => {
      const token = t.issueLoginToken();
      const res = await t.app.inject({ method: 'GET', url: `/auth/token?token=${token}` });
      const c = res.cookies[0]!;
      const cookie = `${c.name}=${c.value}`;
      return { cookie, csrf: '', headers: { cookie } };
    },
    close: async () => {
      await t.app.close();
      await engine.close();
    },
  };
}
