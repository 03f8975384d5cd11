import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE, HOUR } from '../options.js';
import { fakeClock, harness, type Harness } from '../test-support.js';

describe('single-user login and sessions', () => {
  const clock = fakeClock();
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ clock: clock.now });
  });
  afterAll(() => h.close());

  it('exchanges the one-time link for an HttpOnly SameSite=Lax cookie, once', async () => {
    const token = h.t.issueLoginToken();
    const res = await h.t.app.inject({ method: 'GET', url: `/auth/token?token=${token}` });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/');
    const c = res.cookies.find((x) => x.name === 'tidyvault-sid')!;
    expect(c.httpOnly).toBe(true);
    expect(c.sameSite).toBe('Lax');
    expect(c.path).toBe('/');
    expect(c.domain).toBeUndefined();
    expect(Buffer.from(c.value, 'base64url').length).toBeGreaterThanOrEqual(32);
    expect(res.headers['cache-control']).toBe('no-store');
    const again = await h.t.app.inject({ method: 'GET', url: `/auth/token?token=${token}` });
    expect(again.statusCode).toBe(401);
    expect(again.json().error.code).toBe('LOGIN_LINK_INVALID');
    // A browser opening it again reads why, with the security headers of every answer.
    const browser = await h.t.app.inject({
      method: 'GET',
      url: `/auth/token?token=${token}`,
      headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
    });
    expect(browser.statusCode).toBe(401);
    expect(browser.headers['content-type']).toMatch(/^text\/html/);
    expect(browser.body).toMatch(/^<!doctype html>/);
    expect(browser.body).toMatch(/already used/);
    expect(browser.body).toMatch(/restart/);
    expect(browser.headers['content-security-policy']).toMatch(/default-src 'none'|default-src 'self'/);
    const wrong = await h.t.app.inject({ method: 'GET', url: `/auth/token?token=nope` });
    expect(wrong.statusCode).toBe(401);
  });

  it('answers a password sign-in by saying how this server signs in', async () => {
    const res = await h.t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'alice', password: 'alice correct horse' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('PASSWORD_LOGIN_UNAVAILABLE');
    expect(res.json().error.message).toMatch(/single-user mode: sign in with the one-time link/);
    expect(res.cookies).toEqual([]);
  });

  it('stores only a hash of the session token', async () => {
    const { cookie } = await h.login();
    const raw = cookie.split('=')[1]!;
    const stored = JSON.stringify([
      ...(h.t.sessions as unknown as { sessions: Map<string, unknown> }).sessions,
    ]);
    expect(stored).not.toContain(raw);
  });

  it('returns the CSRF token from /api/auth/me', async () => {
    const { cookie } = await h.login();
    const res = await h.t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ user: 'local', csrfHeader: 'x-tidyvault-csrf' });
    expect(res.json().csrfToken).toMatch(/^[\w-]{40,}$/);
  });

  it('logs out server-side: the old cookie no longer works', async () => {
    const auth = await h.login();
    const out = await h.t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: auth.headers });
    expect(out.statusCode).toBe(204);
    expect(out.headers['clear-site-data']).toBe('"cache", "cookies", "storage"');
    const me = await h.t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: auth.cookie } });
    expect(me.statusCode).toBe(401);
  });

  it('expires sessions after 30 idle minutes and 12 hours in all', async () => {
    const idle = await h.login();
    clock.advance(31 * MINUTE);
    expect((await h.t.app.inject({ url: '/api/auth/me', headers: { cookie: idle.cookie } })).statusCode).toBe(
      401,
    );

    const busy = await h.login();
    for (let t = 0; t < 12 * 6; t++) {
      clock.advance(10 * MINUTE);
      const res = await h.t.app.inject({ url: '/api/auth/me', headers: { cookie: busy.cookie } });
      if (t < 12 * 6 - 1) expect(res.statusCode).toBe(200);
      else expect(res.statusCode).toBe(401);
    }
    expect(12 * HOUR).toBe(72 * 10 * MINUTE);
  });
});

describe('CSRF on state changes', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(() => h.close());

  const post = (headers: Record<string, string>) =>
    h.t.app.inject({ method: 'POST', url: '/api/datasets/0123/undo', headers });

  it('needs the x-tidyvault-csrf token', async () => {
    const { cookie, csrf } = await h.login();
    const none = await post({ cookie });
    expect(none.statusCode).toBe(403);
    expect(none.json().error.code).toBe('CSRF_TOKEN');
    // One character changed (never to itself: a token may start with x).
    const forged = (csrf[0] === 'x' ? 'y' : 'x') + csrf.slice(1);
    expect((await post({ cookie, 'x-tidyvault-csrf': forged })).statusCode).toBe(403);
    // With the token the request gets through to the handler (unknown dataset → 404).
    expect((await post({ cookie, 'x-tidyvault-csrf': csrf })).statusCode).toBe(404);
  });

  it('refuses cross-site and foreign-origin requests even with the token', async () => {
    const { headers } = await h.login();
    for (const site of ['cross-site', 'same-site']) {
      const res = await post({ ...headers, 'sec-fetch-site': site });
      expect(res.statusCode, site).toBe(403);
      expect(res.json().error.code).toBe('CSRF_CROSS_SITE');
    }
    for (const origin of ['https://evil.example', 'http://localhost.evil.example', 'null']) {
      const res = await post({ ...headers, origin });
      expect(res.statusCode, origin).toBe(403);
      expect(res.json().error.code).toBe('CSRF_ORIGIN');
    }
    const ok = await post({ ...headers, origin: 'http://localhost:80', 'sec-fetch-site': 'same-origin' });
    expect(ok.statusCode).toBe(404);
  });

  it('guards every state-changing route: no token or a cross-site fetch → 403, nothing runs', async () => {
    const { cookie, headers } = await h.login();
    // Public ones (the password sign-in's answer) have no session to take a token from.
    const unsafe = h.t.routes.filter(
      (r) => !['GET', 'HEAD', 'OPTIONS'].includes(r.method) && r.access !== 'public',
    );
    expect(unsafe.length).toBeGreaterThanOrEqual(7);
    for (const r of unsafe) {
      const url = r.url.replace(':id', '0123456789abcdef0123456789abcdef');
      const method = r.method as 'POST';
      const noToken = await h.t.app.inject({ method, url, headers: { cookie }, payload: {} });
      expect(noToken.statusCode, `${r.method} ${r.url}`).toBe(403);
      const crossSite = await h.t.app.inject({
        method,
        url,
        headers: { ...headers, 'sec-fetch-site': 'cross-site' },
        payload: {},
      });
      expect(crossSite.statusCode, `${r.method} ${r.url}`).toBe(403);
    }
    expect((await h.t.app.inject({ url: '/api/auth/me', headers: { cookie } })).statusCode).toBe(200);
  });

  it('does not accept text/plain bodies (a cross-site "simple" request)', async () => {
    const { headers } = await h.login();
    const res = await h.t.app.inject({
      method: 'PUT',
      url: '/api/datasets/0123/recipe',
      headers: { ...headers, 'content-type': 'text/plain' },
      payload: '{"recipe":{"version":1,"steps":[]}}',
    });
    expect(res.statusCode).toBe(415);
  });
});
